/**
 * ldap: people log in with their directory account (Vault's ldap auth method), against
 * OpenLDAP, Active Directory or any LDAPv3 server; directory groups map to policies.
 *
 * Storage (the mount's view): `config`, `group/<name>`, `user/<name>` (storage.ts). A token
 * keeps its user's password in its internal data (behind the barrier, never answered), as
 * Vault's does, so a renewal binds again. Logins count toward core's user lockout
 * (`user_lockout_config`).
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext, type LoginRenewal } from '../../framework/backend.js';
import { expectedTokenPolicies } from '../shared/token-params.js';
import { directoryLogin } from './directory.js';
import { KeyLock } from '../../framework/key-lock.js';
import { configPath } from './paths/config.js';
import { groupPaths, userPaths } from './paths/groups-users.js';
import { loginPath, mappedPolicies } from './paths/login.js';
import { getConfig } from './storage.js';

/**
 * As Vault: a renewal binds to the directory again as the user, with the password kept at
 * login, and is refused when the bind fails (password changed, account gone) or the
 * policies it maps to now differ from the token's (user or group mappings changed).
 */
async function renewLogin(ctx: BackgroundContext, token: LoginRenewal): Promise<void> {
  const cfg = await getConfig(ctx.storage);
  if (!cfg) throw invalidRequest('the ldap mount of this token is no longer configured; it cannot be renewed');
  const username = token.meta.username ?? '';
  const password = token.internalData.password ?? '';
  if (username === '' || password === '') throw invalidRequest('this token was issued without what a renewal needs: log in again');
  const verdict = await directoryLogin(cfg, username, password);
  if (!verdict.ok) throw invalidRequest('the directory refused the renewal: log in again');
  const { policies } = await mappedPolicies(ctx, cfg, username, verdict.groups);
  const expected = expectedTokenPolicies({ ...cfg.token, policies: [...cfg.token.policies, ...policies] });
  const held = [...token.policies].sort();
  if (expected.length !== held.length || expected.some((p, i) => p !== held[i])) {
    throw invalidRequest('policies have changed since this token was issued; it cannot be renewed: log in again');
  }
}

export default function ldapBackend() {
  const locks = new KeyLock();
  return defineBackend({
    type: 'ldap',
    help: 'Log in with a directory (LDAP/Active Directory) account. Configure at config; map groups at groups/<name>; log in at login/<username>.',
    paths: [configPath(), ...groupPaths(locks), ...userPaths(locks), loginPath()],
    unauthenticated: ['login/*'],
    userLockout: true,
    renewLogin,
  });
}
