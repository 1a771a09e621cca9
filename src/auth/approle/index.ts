/**
 * approle: machines log in with a role id and a secret id (Vault's AppRole auth method).
 *
 * storage.ts lays out what is kept; secret-ids.ts issues and spends secret ids; role-config.ts
 * holds a role's settings and rules; paths/ has one file per resource. Secret ids and role
 * ids are stored as HMACs under a per-mount salt; limited-use secret ids are spent
 * atomically; expired ones are refused at login and tidied in the background.
 *
 * No user lockout here (Vault has it for approle, keyed by role id): role ids are not secret,
 * so anyone could lock a fleet of machines out with a few bad logins, while guessing a
 * 122-bit random secret id is hopeless anyway.
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext, type LoginRenewal } from '../../framework/backend.js';
import { AppRoleState } from './mount-state.js';
import { loginPath } from './paths/login.js';
import { roleSettingPaths } from './paths/role-fields.js';
import { rolePaths } from './paths/role.js';
import { secretIdPaths } from './paths/secret-id.js';
import { tidyPath } from './paths/tidy.js';
import { getRole } from './storage.js';
import { TidyRunner } from './tidy.js';

/** Periodic tidy: logins refuse expired secret ids anyway, so this only reclaims storage. */
const TIDY_INTERVAL_MS = 10 * 60_000;

/** As Vault: a token is renewed only while its role exists. */
async function renewLogin(ctx: BackgroundContext, token: LoginRenewal): Promise<void> {
  const name = token.meta.role_name ?? '';
  if (name === '' || !(await getRole(ctx.storage, name))) throw invalidRequest(`role "${name}" does not exist any more; the token cannot be renewed`);
}

export default function approleBackend() {
  const state = new AppRoleState();
  const tidy = new TidyRunner();
  return defineBackend({
    type: 'approle',
    help: 'Machines log in with a role id and a secret id. Manage roles at role/<name>; log in at login.',
    paths: [...rolePaths(state), ...roleSettingPaths(state), ...secretIdPaths(state), loginPath(state), tidyPath(tidy)],
    unauthenticated: ['login'],
    renewLogin,
    forget: () => state.forget(),
    periodic: async (ctx) => {
      if (!tidy.due(ctx.clock(), TIDY_INTERVAL_MS)) return;
      await tidy.start(ctx.storage, ctx.clock, ctx.logger);
    },
  });
}
