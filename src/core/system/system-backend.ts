/** The `sys/` backend: control of the server itself. Built by core, never registered. */
import { defineBackend, definePath, type Backend } from '../../framework/backend.js';
import { buildOpenApi } from '../../framework/openapi.js';
import type { Core } from '../core.js';
import { VERSION } from '../version.js';
import { leasePaths } from './lease-paths.js';
import { auditPaths } from './audit-paths.js';
import { lockedUsersPaths } from './locked-users-paths.js';
import { mountPaths } from './mount-paths.js';
import { passwordPolicyPaths } from './password-policy-paths.js';
import { policyPaths } from './policy-paths.js';
import { rekeyPaths } from './rekey-paths.js';
import { sealPaths } from './seal-paths.js';
import { wrappingPaths } from './wrapping-paths.js';

export function createSystemBackend(core: Core): Backend {
  return defineBackend({
    type: 'system',
    help: 'The system backend: mounts, policies, audit devices, seal and health of this server.',
    paths: [
      ...sealPaths(core),
      ...rekeyPaths(core),
      ...mountPaths(core),
      ...policyPaths(core),
      ...passwordPolicyPaths(core),
      ...leasePaths(core),
      ...wrappingPaths(core),
      ...auditPaths(core),
      ...lockedUsersPaths(core),
      definePath({
        pattern: 'internal/specs/openapi',
        operations: {
          read: () => ({ raw: buildOpenApi(core.router.all().map((r) => ({ routedPath: r.routedPath, backend: r.backend })), VERSION) }),
        },
        help: { synopsis: 'The OpenAPI document of every mounted backend.' },
      }),
    ],
    unauthenticated: ['seal-status', 'health', 'leader', 'init', 'unseal', 'rekey/*', 'rekey-recovery-key/*', 'generate-root/*', 'internal/ui/mounts', 'internal/ui/mounts/*', 'wrapping/lookup'],
    sudo: ['auth/*', 'remount', 'audit', 'audit/*', 'raw', 'raw/*', 'rotate', 'seal', 'step-down', 'leases', 'leases/lookup/*', 'leases/revoke-prefix/*', 'leases/revoke-force/*', 'revoke-prefix/*', 'revoke-force/*', 'config/*'],
  });
}
