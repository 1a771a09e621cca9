/** The `sys/` backend: control of the server itself. Built by core, never registered. */
import { defineBackend, definePath, type Backend } from '../../framework/backend.js';
import { buildOpenApi } from '../../framework/openapi.js';
import type { Core } from '../core.js';
import { VERSION } from '../version.js';
import { leasePaths } from './lease-paths.js';
import { auditPaths } from './audit-paths.js';
import { generateRootPaths } from './generate-root-paths.js';
import { lockedUsersPaths } from './locked-users-paths.js';
import { mountPaths } from './mount-paths.js';
import { passwordPolicyPaths } from './password-policy-paths.js';
import { policyPaths } from './policy-paths.js';
import { rekeyPaths } from './rekey-paths.js';
import { sealPaths } from './seal-paths.js';
import { haPaths } from './ha-paths.js';
import { wrappingPaths } from './wrapping-paths.js';
import { eventsPaths } from './events-paths.js';
import { mfaPaths } from './mfa-paths.js';

/** Vault's rekey paths that take key shares; rekey/backup is an ordinary path, as in Vault. */
const REKEY_PATHS = ['rekey/init', 'rekey/update', 'rekey/verify', 'rekey-recovery-key/*'];

export function createSystemBackend(core: Core): Backend {
  return defineBackend({
    type: 'system',
    help: 'The system backend: mounts, policies, audit devices, seal and health of this server.',
    paths: [
      ...sealPaths(core),
      ...haPaths(core),
      ...rekeyPaths(core),
      ...generateRootPaths(core),
      ...mountPaths(core),
      ...policyPaths(core),
      ...passwordPolicyPaths(core),
      ...leasePaths(core),
      ...wrappingPaths(core),
      ...auditPaths(core),
      ...lockedUsersPaths(core),
      ...eventsPaths(),
      ...mfaPaths(core),
      definePath({
        pattern: 'internal/specs/openapi',
        operations: {
          read: () => ({ raw: buildOpenApi(core.router.all().map((r) => ({ routedPath: r.routedPath, backend: r.backend })), VERSION) }),
        },
        help: { synopsis: 'The OpenAPI document of every mounted backend.' },
      }),
    ],
    unauthenticated: ['seal-status', 'health', 'leader', 'init', 'unseal', 'internal/ui/mounts', 'internal/ui/mounts/*', 'wrapping/lookup', 'mfa/validate'],
    gatedUnauthenticated: [
      {
        paths: REKEY_PATHS,
        allows: (req) => req.listener?.unauthedRekey === true,
        refusal:
          'unauthenticated rekey requests are disabled on this listener (disable_unauthed_rekey_endpoints = true): ' +
          'send a token with sudo on this path, or set disable_unauthed_rekey_endpoints = false in the listener stanza',
      },
      {
        paths: ['generate-root/*'],
        allows: (req) => req.listener?.unauthedGenerateRoot === true,
        refusal:
          'unauthenticated root token generation is disabled on this listener (disable_unauthed_generate_root_endpoints = true): ' +
          'use sys/generate-root-token with a token that has sudo on it, or set disable_unauthed_generate_root_endpoints = false in the listener stanza',
      },
    ],
    // The share-driven paths take a token only in place of the shares' own authority: sudo.
    sudo: [...REKEY_PATHS, 'generate-root/*', 'generate-root-token/*', 'auth/*', 'remount', 'audit', 'audit/*', 'raw', 'raw/*', 'rotate', 'seal', 'step-down', 'leases', 'leases/lookup/*', 'leases/revoke-prefix/*', 'leases/revoke-force/*', 'revoke-prefix/*', 'revoke-force/*', 'config/*'],
  });
}
