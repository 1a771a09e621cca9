/**
 * `login/:username` {password}. Every failure a guesser could learn from — no such user,
 * wrong password, a locked user — takes one scrypt hash and gets the same 400 "invalid
 * username or password", so neither the answer nor its timing tells them apart. Failures
 * count toward the mount's user lockout under the normalized name, whether or not the user
 * exists.
 */
import { z } from 'zod';
import { invalidRequest, permissionDenied } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { addressAllowed } from '../../../framework/cidr.js';
import type { KeyLock } from '../../../framework/key-lock.js';
import { tokenAuth } from '../../shared/token-params.js';
import { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from '../password-hash.js';
import { getUser, isValidUsername, normalizeUsername, putUser, type UserEntry } from '../storage.js';

const INVALID = 'invalid username or password';

const loginFields = {
  username: z.string(),
  password: z.string().optional().describe('The user\u2019s password'),
};

type LoginFields = z.infer<z.ZodObject<typeof loginFields>>;

async function login(ctx: HandlerContext<LoginFields>, locks: KeyLock): Promise<Response> {
  const password = ctx.fields.password ?? '';
  if (password === '') throw invalidRequest('missing password');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw invalidRequest(INVALID);
  const name = normalizeUsername(ctx.fields.username);
  const user: UserEntry | null = isValidUsername(name) ? await getUser(ctx.storage, name) : null;
  const verdict = await verifyPassword(password, user?.passwordHash);
  const locked = ctx.lockout?.isLocked(name) ?? false;
  if (!user || !verdict.ok || locked) {
    if (!locked) await ctx.lockout?.recordFailure(name);
    throw invalidRequest(INVALID);
  }
  ctx.lockout?.recordSuccess(name);
  // As in Vault: the password was right, but this address may not use the user's tokens.
  if (user.token.boundCidrs.length > 0 && !addressAllowed(ctx.req.remoteAddress, user.token.boundCidrs)) throw permissionDenied();
  if (verdict.needsRehash) await rehash(ctx, locks, user, password);
  return {
    auth: {
      ...tokenAuth(user.token),
      displayName: name,
      metadata: { username: name },
      alias: { name },
    },
  };
}

/** Stores the password again at the current cost (an older hash verified). Best effort. */
async function rehash(ctx: HandlerContext<LoginFields>, locks: KeyLock, user: UserEntry, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await locks.run(user.name, async () => {
    const current = await getUser(ctx.storage, user.name);
    // Only if the password was not changed meanwhile.
    if (current && current.passwordHash === user.passwordHash) await putUser(ctx.storage, { ...current, passwordHash });
  }).catch((err: unknown) => ctx.logger.warn('could not store a re-hashed password', { error: err instanceof Error ? err.message : String(err) }));
}

export function loginPath(locks: KeyLock): PathDefinition {
  return definePath({
    pattern: 'login/:username',
    fields: loginFields,
    operations: { update: (ctx) => login(ctx, locks) },
    help: { synopsis: 'Log in with a username and password.', description: 'Answers a token in the auth block; usernames are case-insensitive.' },
  });
}
