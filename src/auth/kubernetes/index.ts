/**
 * kubernetes: pods log in with their service-account JWT (Vault's Kubernetes auth method).
 *
 * storage.ts lays out config and roles; service-account.ts reads the account a token names
 * and verifies it locally with pem_keys; token-review.ts asks the cluster instead; paths/
 * has one file per resource.
 */
import { defineBackend } from '../../framework/backend.js';
import { PemKeyCache } from '../shared/pem-keys.js';
import { renewWhileRoleUnchanged } from '../shared/roles.js';
import { configPath } from './paths/config.js';
import { loginPath } from './paths/login.js';
import { rolePaths } from './paths/role.js';

export default function kubernetesBackend() {
  const pems = new PemKeyCache('pem_keys');
  return defineBackend({
    type: 'kubernetes',
    help: 'Log in with a Kubernetes service-account JWT. Configure the cluster at config, roles at role/<name>; log in at login.',
    paths: [configPath(), ...rolePaths(), loginPath(pems)],
    unauthenticated: ['login'],
    renewLogin: renewWhileRoleUnchanged,
    forget: () => pems.forget(),
  });
}
