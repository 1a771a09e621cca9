/**
 * What an audit device costs inside the server, without HTTP: kv-v2 reads through
 * `core.handle` (32 concurrent callers, inmem storage) with no device, a "discard" file
 * device (formatting and hashing only) and a real file device (plus writes and
 * fdatasyncs), as CPU microseconds per read (all threads: the thread pool's fdatasyncs too).
 * `node dist/bench/audit-core.js [reads per run, default 100000]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Operation, Response } from '../src/logical/request.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';

const reads = Number(process.argv[2] ?? 100_000);
const server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, {});
const core = server.core;
const call = (operation: Operation, path: string, data: Record<string, unknown> = {}, token = server.dev!.rootToken): Promise<Response> =>
  core.handle({ id: randomUUID(), operation, path, data, headers: {}, clientToken: token, remoteAddress: '127.0.0.1' });

await call('update', 'secret/data/bench/db', { data: { username: 'svc-app', password: 'correct-horse-battery-staple', port: 5432 } });
await call('update', 'sys/policies/acl/bench-reader', { policy: 'path "secret/data/bench/*" { capabilities = ["read"] }' });
const reader = (await call('update', 'auth/token/create', { policies: ['bench-reader'] })).authBlock!.client_token;

async function measure(label: string): Promise<void> {
  let started = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (started++ < reads) await call('read', 'secret/data/bench/db', {}, reader);
    }),
  );
  const used = process.cpuUsage(before);
  const per = (us: number) => (us / reads).toFixed(1);
  console.log(`${label.padEnd(22)} ${per(used.user + used.system).padStart(5)} µs CPU per read (${per(used.user)} user + ${per(used.system)} sys)`);
}

const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-core-'));
try {
  await measure('warm-up');
  await measure('no audit device');
  await call('update', 'sys/audit/discard', { type: 'file', options: { file_path: 'discard' } });
  await measure('file device, discard');
  await call('delete', 'sys/audit/discard');
  await call('update', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
  await measure('file device');
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
