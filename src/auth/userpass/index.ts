/**
 * userpass: people log in with a username and password (Vault's userpass auth method).
 *
 * Storage (the mount's view): `user/<name>` per user (storage.ts). Passwords are kept only as
 * scrypt hashes (password-hash.ts). Logins count toward core's user lockout (tunable with the
 * mount's `user_lockout_config`, listed and lifted through `sys/locked-users`).
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext, type LoginRenewal } from '../../framework/backend.js';
import { KeyLock } from '../../framework/key-lock.js';
import { expectedTokenPolicies } from '../shared/token-params.js';
import { loginPath } from './paths/login.js';
import { userPaths } from './paths/users.js';
import { getUser, normalizeUsername } from './storage.js';

/** A token is renewed only while its user exists with the policies the token was given (as Vault). */
async function renewLogin(ctx: BackgroundContext, token: LoginRenewal): Promise<void> {
  const name = normalizeUsername(token.meta.username ?? '');
  const user = name === '' ? null : await getUser(ctx.storage, name);
  if (!user) throw invalidRequest('the user of this token no longer exists; it cannot be renewed');
  const expected = expectedTokenPolicies(user.token);
  const held = [...token.policies].sort();
  if (expected.length !== held.length || expected.some((p, i) => p !== held[i])) {
    throw invalidRequest("policies have changed since this token was issued; it cannot be renewed: log in again");
  }
}

export default function userpassBackend() {
  const locks = new KeyLock();
  return defineBackend({
    type: 'userpass',
    help: 'Log in with a username and password. Manage users at users/<name>; log in at login/<name>.',
    paths: [...userPaths(locks), loginPath(locks)],
    unauthenticated: ['login/*'],
    userLockout: true,
    renewLogin,
  });
}
