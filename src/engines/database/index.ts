/**
 * database: dynamic database credentials. Each config names a plugin and how to reach one
 * database; each role says how a user is created there; each read of creds/<role> makes a
 * new user with a generated password under a lease, which the one lease manager renews and
 * revokes. Plugins live in plugins/<name>/ behind one interface (plugins/plugin.ts).
 *
 * Static roles (static-roles/) own the password of an existing user and rotate it on a
 * schedule, crash-safely (static-store.ts, rotation.ts).
 *
 * Each mount keeps its own pools (connections.ts) and rotation timers, closed on unmount and seal.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
import { ConnectionCache } from './connections.js';
import { credsLeaseType } from './lease.js';
import { configAdminPaths } from './paths/config-admin.js';
import { configPaths } from './paths/config.js';
import { credsPaths } from './paths/creds.js';
import { rolesPaths } from './paths/roles.js';
import { staticRolePaths } from './paths/static-roles.js';
import { RootRotator } from './root-rotation.js';
import { StaticRotator } from './rotation.js';

export default function databaseBackend(): Backend {
  const connections = new ConnectionCache();
  const rotator = new StaticRotator(connections);
  const rootRotator = new RootRotator(connections);
  return defineBackend({
    type: 'database',
    help:
      'Dynamic database credentials: a user per request, created from role statements with a generated password, ' +
      'dropped when its lease is revoked or expires.',
    paths: [
      ...configPaths(connections),
      ...configAdminPaths(connections, rootRotator),
      ...rolesPaths(),
      ...credsPaths(connections),
      ...staticRolePaths(connections, rotator),
    ],
    secrets: [credsLeaseType(connections)],
    // Root and static rotations left pending are finished, and schedules armed, after every unseal.
    initialize: async (ctx) => {
      await rootRotator.settleAll(ctx);
      await rotator.start(ctx);
    },
    // A root rotation the database missed at start is tried again (static roles retry on their own timers).
    periodic: (ctx) => rootRotator.settleAll(ctx),
    cleanup: async () => {
      rotator.stop();
      await connections.closeAll();
    },
    forget: () => {
      rotator.stop();
      void connections.closeAll();
    },
  });
}
