/**
 * kubernetes: pods log in with their service-account JWT (Vault's Kubernetes auth method).
 *
 * storage.ts lays out config and roles; service-account.ts reads the account a token names
 * and verifies it locally with pem_keys; token-review.ts asks the cluster instead; paths/
 * has one file per resource.
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext, type LoginRenewal } from '../../framework/backend.js';
import { PemKeyCache } from '../shared/pem-keys.js';
import { expectedTokenPolicies } from '../shared/token-params.js';
import { configPath } from './paths/config.js';
import { loginPath } from './paths/login.js';
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

export default function kubernetesBackend() {
  const pems = new PemKeyCache('pem_keys');
  return defineBackend({
    type: 'kubernetes',
    help: 'Log in with a Kubernetes service-account JWT. Configure the cluster at config, roles at role/<name>; log in at login.',
    paths: [configPath(), ...rolePaths(), loginPath(pems)],
    unauthenticated: ['login'],
    renewLogin,
    forget: () => pems.forget(),
  });
}
