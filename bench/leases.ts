/**
 * 100,000 pending leases on sqlite: issue rate, memory held for them, the time an unseal takes
 * to re-arm every timer, and expiry throughput when they all come due at once (a server that
 * comes back after being down past every TTL). Not a request
 * throughput benchmark, so no bare ceiling applies. Run alone:
 *   node --expose-gc dist/bench/leases.js [count]
 * Leases are issued through core.handle by the test leasing engine (each one writes an
 * "account" and a lease). To make them all due at once, the core's clock is moved forward
 * while sealed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';
import { leasingRegistry } from '../test/helpers/leasing-backend.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'coffer-leases-'));
let clockOffset = 0;
const server = await startServer(
  { ...devConfig('127.0.0.1:0'), logLevel: 'off', storage: { type: 'sqlite', config: { path: join(dir, 'coffer.db') } } },
  {},
  silentLogger,
  { extraBackends: leasingRegistry, clock: () => Date.now() + clockOffset },
);
const { core } = server;
const token = server.dev!.rootToken;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const call = (operation: 'read' | 'update' | 'list', path: string, data: Record<string, unknown> = {}) =>
  core.handle({ id: 'bench', operation, path, data, clientToken: token, headers: {} });

await call('update', 'sys/mounts/db', { type: 'leasing' });
await call('update', 'db/config', { ttl: '1h' });
await core.expiration.restored;
global.gc?.();
const before = process.memoryUsage();

let t0 = process.hrtime.bigint();
let next = 0;
const issuer = async () => {
  for (let i = next++; i < COUNT; i = next++) await call('read', 'db/creds/app');
};
await Promise.all(Array.from({ length: 64 }, issuer));
const issueMs = since(t0);
console.log(`issued ${COUNT.toLocaleString()} leases in ${issueMs.toFixed(0)} ms: ${Math.round(COUNT / (issueMs / 1000)).toLocaleString()}/s (core.handle, 64 at a time, durable)`);
global.gc?.();
const pending = process.memoryUsage();
console.log(`pending timers: ${core.expiration.pending.toLocaleString()}; heap +${mb(pending.heapUsed - before.heapUsed)}, rss +${mb(pending.rss - before.rss)}`);

const unsealKey = Buffer.from(server.dev!.unsealKey, 'base64');
await core.sealVault();
global.gc?.();
const sealed = process.memoryUsage();
t0 = process.hrtime.bigint();
await core.seal.submitUnsealKey(unsealKey);
const unsealMs = since(t0);
const restored = await core.expiration.restored;
const restoreMs = since(t0);
global.gc?.();
const afterRestore = process.memoryUsage();
console.log(
  `unseal answered in ${unsealMs.toFixed(0)} ms; ${restored.toLocaleString()} leases re-armed in the background by ${restoreMs.toFixed(0)} ms; ` +
    `heap after restore +${mb(afterRestore.heapUsed - sealed.heapUsed)} over sealed`,
);

// The server was down past every TTL: seal, move the clock two hours on, unseal. Every lease
// is overdue, so restoring the timers fires them all while the restore is still reading.
await core.sealVault();
clockOffset = 2 * 3600 * 1000;
t0 = process.hrtime.bigint();
await core.seal.submitUnsealKey(unsealKey);
await core.expiration.restored;
await core.expiration.settle();
const expireMs = since(t0);
const left = (await call('list', 'db/accounts/'))?.data?.keys as string[] | undefined;
const revoked = COUNT - (left?.length ?? 0);
console.log(
  `after a restart past every TTL: ${revoked.toLocaleString()} leases expired and revoked in ${expireMs.toFixed(0)} ms: ` +
    `${Math.round(revoked / (expireMs / 1000)).toLocaleString()}/s (engine revoke + lease delete, 32 at a time); accounts left: ${left?.length ?? 0}`,
);

await server.close();
rmSync(dir, { recursive: true, force: true });
