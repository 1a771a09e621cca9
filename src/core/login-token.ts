/** A login's `auth` answer becomes a token, with the mount's TTLs and the default policy. */
import { invalidRequest } from '../errors.js';
import type { Request, Response } from '../logical/request.js';
import type { Core } from './core.js';
import { normalizePolicyName } from './policy/index.js';
import type { Route } from './router.js';

export async function createLoginToken(core: Core, route: Route, req: Request, response: Response): Promise<Response> {
  const auth = response.auth!;
  const policies = new Set(auth.policies.map(normalizePolicyName).filter((p) => p !== ''));
  if (policies.has('root')) throw invalidRequest('auth methods cannot issue root tokens');
  const ttls = core.mounts.effectiveTtls(route.entry);
  const maxTtl = Math.min(auth.maxTtl || ttls.maxLeaseTtl, ttls.maxLeaseTtl);
  const { token, entry } = await core.tokens.create({
    policies: [...policies],
    path: req.path,
    displayName: auth.displayName ? `${route.entry.type}-${auth.displayName}` : route.entry.type,
    meta: auth.metadata ?? {},
    ttl: Math.min(auth.ttl || ttls.defaultLeaseTtl, maxTtl),
    maxTtl,
    explicitMaxTtl: auth.explicitMaxTtl ?? 0,
    period: auth.period ?? 0,
    renewable: auth.renewable ?? true,
    numUses: auth.numUses ?? 0,
    boundCidrs: auth.boundCidrs,
    orphan: true,
    noDefaultPolicy: auth.noDefaultPolicy,
  });
  const { auth: _consumed, ...rest } = response;
  return { ...rest, authBlock: core.tokens.authBlock(token, entry) };
}
