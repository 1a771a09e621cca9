/**
 * Authorizations and their challenges (RFC 8555 sections 7.5, 7.5.1, 7.5.2). A client's
 * POST to a challenge starts its validation in the background and is answered at once
 * (status processing); the client then polls the authorization. Each change is one write
 * of the authorization entry, under a per-authorization lock.
 */
import type { HandlerContext, BackgroundContext } from '../../../framework/backend.js';
import { KeyLock } from '../../../framework/key-lock.js';
import { putJson } from '../../../logical/storage.js';
import { validateChallenge } from './challenges/index.js';
import { ChallengeFailed, type ChallengeInput } from './challenges/types.js';
import type { Directory } from './directory.js';
import { verifyRequest } from './jws.js';
import { authzStatusAt } from './orders.js';
import { problem } from './problem.js';
import type { AcmeAnswer, AcmeFields } from './respond.js';
import { acmeKeys, getAuthz, type AuthzEntry, type ChallengeEntry } from './store.js';

const VALIDATION_TIMEOUT_MS = 30_000;
const authzLock = new KeyLock();

function challengeJson(dir: Directory, a: AuthzEntry, c: ChallengeEntry): Record<string, unknown> {
  return {
    type: c.type,
    url: dir.url(`challenge/${a.id}/${c.type}`),
    token: c.token,
    status: c.status,
    ...(c.validated ? { validated: c.validated } : {}),
    ...(c.error ? { error: c.error } : {}),
  };
}

function authzJson(dir: Directory, a: AuthzEntry, now: number): Record<string, unknown> {
  const status = authzStatusAt(a, now);
  // Once one challenge decided the authorization, RFC 8555 shows the one that did.
  const challenges = status === 'valid' ? a.challenges.filter((c) => c.status === 'valid') : a.challenges;
  return {
    identifier: a.wildcard ? { type: 'dns', value: a.identifier.value.slice(2) } : a.identifier,
    status,
    expires: new Date(a.expires).toISOString(),
    challenges: challenges.map((c) => challengeJson(dir, a, c)),
    ...(a.wildcard ? { wildcard: true } : {}),
  };
}

async function ownAuthz(ctx: HandlerContext<AcmeFields>, accountId: string): Promise<AuthzEntry> {
  const a = await getAuthz(ctx.storage, accountId, String(ctx.fields.auth_id));
  if (!a) throw problem('malformed', 'this account has no such authorization', 404);
  return a;
}

export async function authorization(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const id = String(ctx.fields.auth_id);
  const jws = await verifyRequest(ctx, dir, `authorization/${id}`, 'kid');
  const accountId = jws.account!.id;
  if (jws.payload && jws.payload.status !== undefined) {
    if (jws.payload.status !== 'deactivated') throw problem('malformed', 'an authorization may only be set to "deactivated"');
    return authzLock.run(id, async () => {
      const a = await ownAuthz(ctx, accountId);
      const s = authzStatusAt(a, ctx.clock());
      if (s !== 'pending' && s !== 'valid') throw problem('malformed', `an authorization that is ${s} cannot be deactivated`);
      const next: AuthzEntry = { ...a, status: 'deactivated' };
      await putJson(ctx.storage, acmeKeys.authz(accountId, id), next);
      return { json: authzJson(dir, next, ctx.clock()), location: dir.url(`authorization/${id}`) };
    });
  }
  const a = await ownAuthz(ctx, accountId);
  return { json: authzJson(dir, a, ctx.clock()), location: dir.url(`authorization/${id}`) };
}

export async function challenge(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const id = String(ctx.fields.auth_id);
  const type = String(ctx.fields.challenge_type);
  const jws = await verifyRequest(ctx, dir, `challenge/${id}/${type}`, 'kid');
  const account = jws.account!;
  const up = [`<${dir.url(`authorization/${id}`)}>;rel="up"`];
  return authzLock.run(id, async () => {
    const a = await ownAuthz(ctx, account.id);
    const c = a.challenges.find((x) => x.type === type);
    if (!c) throw problem('malformed', `this authorization offers no ${type} challenge`, 404);
    // POST-as-GET only reads; a payload ({}) asks for validation, once.
    if (jws.payload === null || c.status !== 'pending') return { json: challengeJson(dir, a, c), links: up };
    if (authzStatusAt(a, ctx.clock()) !== 'pending') throw problem('malformed', `the authorization is ${authzStatusAt(a, ctx.clock())}`);
    const started: AuthzEntry = { ...a, challenges: a.challenges.map((x) => (x === c ? { ...x, status: 'processing' } : x)) };
    await putJson(ctx.storage, acmeKeys.authz(account.id, id), started);
    const input = {
      type: c.type,
      identifier: a.wildcard ? { type: 'dns' as const, value: a.identifier.value.slice(2) } : a.identifier,
      token: c.token,
      keyAuthorization: `${c.token}.${account.thumbprint}`,
      dnsResolver: dir.config.dns_resolver,
      timeoutMs: VALIDATION_TIMEOUT_MS,
      allowedNetworks: dir.config.allowed_challenge_networks,
    };
    void validateInBackground(ctx, account.id, id, input);
    return { json: challengeJson(dir, started, started.challenges.find((x) => x.type === type)!), links: up };
  });
}

/** Runs after the client was answered: the outcome lands in the authorization, where the client polls for it. */
async function validateInBackground(ctx: BackgroundContext, accountId: string, authzId: string, input: ChallengeInput): Promise<void> {
  let error: ChallengeEntry['error'];
  try {
    await validateChallenge(input);
  } catch (err) {
    const failed = err instanceof ChallengeFailed;
    if (!failed) ctx.logger.error('ACME challenge validation failed unexpectedly', { error: (err as Error)?.message ?? String(err) });
    error = {
      type: `urn:ietf:params:acme:error:${failed ? err.acmeType : 'serverInternal'}`,
      detail: failed ? err.message : 'validation failed',
    };
  }
  try {
    await authzLock.run(authzId, async () => {
      const a = await getAuthz(ctx.storage, accountId, authzId);
      if (!a) return;
      const challenges = a.challenges.map((c): ChallengeEntry => {
        if (c.type !== input.type) return c;
        return error ? { ...c, status: 'invalid', error } : { ...c, status: 'valid', validated: new Date(ctx.clock()).toISOString() };
      });
      // A deactivated or expired authorization stays what it is.
      const status = a.status !== 'pending' ? a.status : error ? 'invalid' : 'valid';
      await putJson(ctx.storage, acmeKeys.authz(accountId, authzId), { ...a, status, challenges } satisfies AuthzEntry);
    });
  } catch (err) {
    ctx.logger.error('ACME challenge result could not be stored', { error: (err as Error)?.message ?? String(err) });
  }
}
