/**
 * ldap: people log in with their directory account (Vault's ldap auth method), against
 * OpenLDAP, Active Directory or any LDAPv3 server; directory groups map to policies.
 *
 * Storage (the mount's view): `config`, `group/<name>`, `user/<name>` (storage.ts). Nothing of
 * a user's password is kept. Logins count toward core's user lockout (`user_lockout_config`).
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext } from '../../framework/backend.js';
import { KeyLock } from '../../framework/key-lock.js';
import { configPath } from './paths/config.js';
import { groupPaths, userPaths } from './paths/groups-users.js';
import { loginPath } from './paths/login.js';
import { getConfig } from './storage.js';

/**
 * Vault re-checks the password with the directory on renewal, which needs the password kept
 * with the token; Coffer keeps no password, so a token renews while the mount is configured
 * and its TTLs bound it.
 */
async function renewLogin(ctx: BackgroundContext): Promise<void> {
  if (!(await getConfig(ctx.storage))) throw invalidRequest('the ldap mount of this token is no longer configured; it cannot be renewed');
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
