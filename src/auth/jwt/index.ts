/**
 * jwt (also mounted as `oidc`): machines and people log in with a JWT signed by a key the
 * mount trusts, or through the OIDC authorization-code flow (Vault's JWT/OIDC auth method).
 *
 * storage.ts lays out config and roles; keys.ts finds the verification keys (PEM, JWKS,
 * OIDC discovery) and checks signatures with jose; claims.ts checks the claims;
 * oidc-state.ts keeps pending browser logins; paths/ has one file per resource.
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext, type LoginRenewal } from '../../framework/backend.js';
import { expectedTokenPolicies } from '../shared/token-params.js';
import { KeyCache } from './keys.js';
import { OidcStates } from './oidc-state.js';
import { configPath } from './paths/config.js';
import { loginPath } from './paths/login.js';
import { oidcPaths } from './paths/oidc.js';
import { rolePaths } from './paths/role.js';
import { getRole } from './storage.js';

/** As Vault: a token is renewed only while its role exists with the policies the token was given. */
async function renewLogin(ctx: BackgroundContext, token: LoginRenewal): Promise<void> {
  const name = token.meta.role ?? '';
  const role = name === '' ? null : await getRole(ctx.storage, name);
  if (!role) throw invalidRequest(`role "${name}" does not exist any more; the token cannot be renewed`);
  const expected = expectedTokenPolicies(role.token);
  const held = [...token.policies].sort();
  if (expected.length !== held.length || expected.some((p, i) => p !== held[i])) {
    throw invalidRequest('policies have changed since this token was issued; it cannot be renewed: log in again');
  }
}

export default function jwtBackend() {
  const cache = new KeyCache();
  const states = new OidcStates();
  return defineBackend({
    type: 'jwt',
    help: 'Log in with a signed JWT. Configure key sources at config, roles at role/<name>; log in at login.',
    paths: [configPath(cache), ...rolePaths(), loginPath(cache), ...oidcPaths(states, cache)],
    unauthenticated: ['login', 'oidc/auth_url', 'oidc/callback'],
    renewLogin,
    forget: () => {
      cache.forget();
      states.forget();
    },
  });
}
