/**
 * LIST and SCAN over 100,000 kv-v2 secrets on sqlite: time and memory. Not a throughput
 * benchmark, so no bare ceiling applies; run alone: `node dist/bench/kv-list.js [count]`.
 * Secrets are written through core.handle (the HTTP path is measured by run.ts); the
 * listings are read over HTTP as a client would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'coffer-kv-list-'));
const server = await startServer(
  { ...devConfig('127.0.0.1:0'), logLevel: 'off', storage: { type: 'sqlite', config: { path: join(dir, 'coffer.db') } } },
  {},
  silentLogger,
);
const token = server.dev!.rootToken;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const ms = (t0: bigint) => `${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`;

async function get(path: string): Promise<{ keys: string[]; bytes: number }> {
  const res = await fetch(`${server.address}/v1/${path}`, { headers: { 'x-vault-token': token } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  return { keys: (JSON.parse(text) as { data: { keys: string[] } }).data.keys, bytes: text.length };
}

const before = process.memoryUsage();
let t0 = process.hrtime.bigint();
let next = 0;
const writer = async () => {
  for (let i = next++; i < COUNT; i = next++) {
    await server.core.handle({
      id: `w${i}`,
      operation: 'update',
      path: `secret/data/big/key-${String(i).padStart(6, '0')}`,
      data: { data: { n: i } },
      clientToken: token,
      headers: {},
    });
  }
};
await Promise.all(Array.from({ length: 64 }, writer));
console.log(`wrote ${COUNT.toLocaleString()} kv-v2 secrets in ${ms(t0)} (through core.handle, 64 at a time)`);
global.gc?.();
const loaded = process.memoryUsage();

t0 = process.hrtime.bigint();
const all = await get('secret/metadata/big/?list=true');
console.log(`LIST of ${all.keys.length.toLocaleString()} keys in one answer: ${ms(t0)}, ${mb(all.bytes)} of JSON`);

t0 = process.hrtime.bigint();
let after = '';
let pages = 0;
let seen = 0;
for (;;) {
  const page = await get(`secret/metadata/big/?list=true&limit=1000${after ? `&after=${after}` : ''}`).catch(() => ({ keys: [], bytes: 0 }));
  if (page.keys.length === 0) break;
  pages++;
  seen += page.keys.length;
  after = page.keys[page.keys.length - 1]!;
}
console.log(`LIST paged by 1,000 (after/limit): ${pages} pages, ${seen.toLocaleString()} keys, ${ms(t0)}`);

t0 = process.hrtime.bigint();
const scanned = await get('secret/metadata/?scan=true');
console.log(`SCAN of the whole mount: ${scanned.keys.length.toLocaleString()} keys, ${ms(t0)}`);

const end = process.memoryUsage();
console.log(
  `memory: rss ${mb(before.rss)} at start, ${mb(loaded.rss)} after the writes, ${mb(end.rss)} after the listings; ` +
    `heap used ${mb(loaded.heapUsed)} → ${mb(end.heapUsed)}`,
);
await server.close();
rmSync(dir, { recursive: true, force: true });
