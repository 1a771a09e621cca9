/**
 * A login's `auth` answer becomes a token: one place for every auth method, so TTLs, policies,
 * CIDR bindings and the `auth` block clients parse come out the same whatever the method.
 */
import { invalidRequest } from '../errors.js';
import type { AuthInfo, Request, Response } from '../logical/request.js';
import type { Core } from './core.js';
import { entityForLogin } from './identity/login-identity.js';
import { normalizePolicyName } from './policy/index.js';
import type { Route } from './router.js';

/** Vault's display name of a login token: the mount path with dashes, then the method's name for the user. */
export function loginDisplayName(mountPath: string, name: string | undefined): string {
  const source = mountPath.replace(/\//g, '-');
  return (source + (name ?? '')).replace(/-+$/, '');
}

function checkTokenType(type: AuthInfo['tokenType']): void {
  if (type === undefined || type === '' || type === 'default' || type === 'service' || type === 'default-service') return;
  if (type === 'batch' || type === 'default-batch') throw invalidRequest('batch tokens are not supported by this server: configure token_type "service" (or "default")');
  throw invalidRequest(`invalid token type "${String(type).slice(0, 32)}"`);
}

const stringValues = (data: Record<string, unknown> | undefined): Record<string, string> | undefined =>
  data && Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));

export async function createLoginToken(core: Core, route: Route, req: Request, response: Response): Promise<Response> {
  const auth = response.auth!;
  checkTokenType(auth.tokenType);
  const policies = new Set(auth.policies.map(normalizePolicyName).filter((p) => p !== ''));
  if (policies.has('root')) throw invalidRequest('auth methods cannot issue root tokens');
  const ttls = route.base.system;
  // A method's max (a role's token_max_ttl) can only shorten the mount's.
  const maxTtl = Math.min(auth.maxTtl || ttls.maxLeaseTtl, ttls.maxLeaseTtl);
  const period = auth.period ?? 0;
  // The alias the method answered names the entity (made on first login); a disabled entity is refused here.
  const entityId = auth.alias
    ? await entityForLogin(core.identity, { mountAccessor: route.entry.accessor, name: auth.alias.name, metadata: auth.alias.metadata, groupAliases: auth.groupAliases })
    : undefined;
  // The token is made only once login MFA (if an enforcement names this login) is passed.
  const issue = async (): Promise<Response> => {
    const { token, entry } = await core.tokens.create({
      policies: [...policies],
      path: req.path,
      displayName: loginDisplayName(route.entry.path, auth.displayName),
      meta: auth.metadata ?? {},
      ttl: Math.min(auth.ttl || ttls.defaultLeaseTtl, maxTtl),
      maxTtl,
      // Periodic tokens live by their period alone; the others keep to this max on every renewal.
      renewalMaxTtl: period > 0 ? undefined : maxTtl,
      explicitMaxTtl: auth.explicitMaxTtl ?? 0,
      period,
      renewable: auth.renewable ?? true,
      numUses: auth.numUses ?? 0,
      boundCidrs: auth.boundCidrs,
      orphan: true,
      noDefaultPolicy: auth.noDefaultPolicy,
      entityId,
      internalData: stringValues(auth.internalData),
    });
    const { auth: _consumed, ...rest } = response;
    return { ...rest, authBlock: core.tokens.authBlock(token, entry) };
  };
  return core.loginMfa.gate({ mountAccessor: route.entry.accessor, mountType: route.entry.type, entityId, headers: req.headers }, issue);
}
