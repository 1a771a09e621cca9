/**
 * What long transit batches do to everybody else: the latency of `GET sys/health` from one
 * client while four others send batches back to back, beside the same health check with no
 * batches running, measured against the same server in the same run. Not a throughput
 * benchmark, so no bare ceiling applies. Run alone, from the repository:
 *   node dist/bench/batch-fairness.js [sign|encrypt] [seconds]
 * `sign`: 200 RSA-2048 signatures per batch; `encrypt`: 20,000 × 200 B per batch (6 MB bodies).
 */
import { randomBytes } from 'node:crypto';
import { startChild, stopChild } from './child.js';

const kind = process.argv[2] ?? 'sign';
const seconds = Number(process.argv[3] ?? 6);
const BATCHERS = 4;
const PROBE_EVERY_MS = 5;

const shapes = {
  sign: { keyType: 'rsa-2048', path: 'sign', items: 200, field: 'input' },
  encrypt: { keyType: 'aes256-gcm96', path: 'encrypt', items: 20_000, field: 'plaintext' },
} as const;
const shape = shapes[kind as keyof typeof shapes];
if (!shape) throw new Error(`unknown batch kind "${kind}": use sign or encrypt`);

const server = await startChild('coffer-server.js', ['inmem']);
const { address, token } = server.info as { address: string; token: string };

async function call(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${address}/v1/${path}`, { method, headers: { 'x-vault-token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
}

/** Health-check latencies (ms) for `ms`, one check every PROBE_EVERY_MS. */
async function probe(ms: number): Promise<number[]> {
  const until = performance.now() + ms;
  const out: number[] = [];
  while (performance.now() < until) {
    const started = performance.now();
    const res = await fetch(`${address}/v1/sys/health`);
    await res.arrayBuffer();
    out.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  return out.sort((a, b) => a - b);
}

const summary = (lat: number[]) => {
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(1);
  return `${String(lat.length).padStart(5)} checks  p50 ${q(0.5).padStart(6)} ms  p99 ${q(0.99).padStart(6)} ms  max ${lat[lat.length - 1]!.toFixed(1).padStart(6)} ms`;
};

try {
  await call('POST', 'sys/mounts/transit', { type: 'transit' });
  await call('POST', 'transit/keys/fair', { type: shape.keyType });
  const batch = { batch_input: Array.from({ length: shape.items }, () => ({ [shape.field]: randomBytes(200).toString('base64') })) };
  const alone = await probe(2000);

  let stop = false;
  let batches = 0;
  const batcher = async () => {
    while (!stop) {
      await call('POST', `transit/${shape.path}/fair`, batch);
      batches++;
    }
  };
  const running = Array.from({ length: BATCHERS }, batcher);
  const loaded = await probe(seconds * 1000);
  stop = true;
  await Promise.all(running);

  console.log(`node ${process.version}; ${BATCHERS} clients sending ${shape.items}-item ${kind} batches back to back, sys/health every ${PROBE_EVERY_MS} ms`);
  console.log(`health, no batches      ${summary(alone)}`);
  console.log(`health, during batches  ${summary(loaded)}  (${batches} batches answered in ${seconds} s)`);
} finally {
  await stopChild(server);
}
