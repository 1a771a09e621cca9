/**
 * jwt (also mounted as `oidc`): machines and people log in with a JWT signed by a key the
 * mount trusts, or through the OIDC authorization-code flow (Vault's JWT/OIDC auth method).
 *
 * storage.ts lays out config and roles; keys.ts finds the verification keys (PEM, JWKS,
 * OIDC discovery) and checks signatures with jose; claims.ts checks the claims;
 * oidc-state.ts seals pending browser logins into their OAuth state; paths/ has one file per resource.
 */
import { defineBackend } from '../../framework/backend.js';
import { renewWhileRoleUnchanged } from '../shared/roles.js';
import { KeyCache } from './keys.js';
import { OidcStates } from './oidc-state.js';
import { configPath } from './paths/config.js';
import { loginPath } from './paths/login.js';
import { oidcPaths } from './paths/oidc.js';
import { rolePaths } from './paths/role.js';

export default function jwtBackend() {
  const cache = new KeyCache();
  const states = new OidcStates();
  return defineBackend({
    type: 'jwt',
    help: 'Log in with a signed JWT. Configure key sources at config, roles at role/<name>; log in at login.',
    paths: [configPath(cache), ...rolePaths(), loginPath(cache), ...oidcPaths(states, cache)],
    unauthenticated: ['login', 'oidc/auth_url', 'oidc/callback'],
    renewLogin: renewWhileRoleUnchanged,
    forget: () => {
      cache.forget();
      states.forget();
    },
  });
}
