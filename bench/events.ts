/**
 * kv-v2 write throughput with 100 subscribers on sys/events/subscribe (every one receiving
 * every write's event) beside the same writes with none, in the same run against the same
 * server, and the events delivered per second. Rounds alternate (none, subscribed, none, …)
 * so that load from elsewhere on the machine falls on both sides alike. Run:
 *   node dist/bench/events.js [inmem|sqlite] [subscribers] [rounds]
 * Server, load generator and subscribers are three processes. On a small machine the
 * subscribers' own CPU (parsing every frame) competes with the server, so the server's CPU
 * per write is printed beside the throughput: that is what the events cost the write path.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runLoad, startChild, stopChild } from './child.js';
import type { LoadResult } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
const STORAGE = process.argv[2] ?? 'sqlite';
const SUBSCRIBERS = Number(process.argv[3] ?? 100);
const ROUNDS = Number(process.argv[4] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 1);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);


/** The subscriber process: resolves once every stream is open; `received()` asks for its count. */
async function startSubscribers(address: string, token: string) {
  const child = spawn(process.execPath, [join(here, 'event-subscribers.js'), address, token, String(SUBSCRIBERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  await nextLine();
  return {
    async received(): Promise<number> {
      const line = nextLine();
      child.stdin!.write('count\n');
      return (JSON.parse(await line) as { received: number }).received;
    },
    async stop() {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const PROFILE = process.env['BENCH_PROFILE'] === '1';
const server = await startChild('coffer-server.js', [STORAGE], PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(here, '../../bench/out')}`] : []);
const { address, token } = server.info as { address: string; token: string };
console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; storage ${STORAGE}; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s per round; ${SUBSCRIBERS} subscribers`);

let round = 0;
const write = (): Promise<LoadResult> =>
  runLoad({
    url: `${address}/v1/secret/data/bench/events/r${round++}/key`,
    method: 'POST',
    headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { username: 'svc-app', password: 'correct-horse-battery-staple' } }),
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: WARMUP,
    uniquePaths: true,
    serverPid: server.child.pid,
  });

/** The server's CPU per write over a round, µs: what the events cost it, apart from the subscribers' own CPU. */
const cpuPerWrite = (r: LoadResult) => (r.serverCpu ? ((r.serverCpu.userMs + r.serverCpu.sysMs) * 1000) / r.requests : NaN);

const without: number[] = [];
const withSubs: number[] = [];
const delivered: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const plain = await write();
    without.push(plain.rps);
    console.log(`round ${i + 1}: no subscribers   ${fmt(plain.rps)} writes/s (p99 ${fmt(plain.p99, 1)} ms), server CPU ${fmt(cpuPerWrite(plain))} µs/write`);

    const subs = await startSubscribers(address, token);
    const before = await subs.received();
    const started = performance.now();
    const loaded = await write();
    // Everything published during the round, delivered: wait until the count stops moving.
    let last = -1;
    let now = await subs.received();
    while (now !== last) {
      last = now;
      await new Promise((r) => setTimeout(r, 250));
      now = await subs.received();
    }
    const elapsed = (performance.now() - started - 250) / 1000;
    const got = now - before;
    const writes = loaded.requests;
    await subs.stop();
    withSubs.push(loaded.rps);
    delivered.push(got / elapsed);
    console.log(
      `round ${i + 1}: ${SUBSCRIBERS} subscribers  ${fmt(loaded.rps)} writes/s (p99 ${fmt(loaded.p99, 1)} ms), server CPU ${fmt(cpuPerWrite(loaded))} µs/write, ` +
        `${fmt(loaded.rps / plain.rps, 2)}× the round without; ${fmt(got)} events delivered in ${fmt(elapsed, 1)} s = ${fmt(got / elapsed)}/s ` +
        `(measured writes ${fmt(writes)} × ${SUBSCRIBERS} = ${fmt(writes * SUBSCRIBERS)}, plus the warm-up's)`,
    );
  }
  const ratio = median(withSubs.map((w, i) => w / without[i]!));
  console.log(
    `median: ${fmt(median(without))} writes/s without, ${fmt(median(withSubs))} with ${SUBSCRIBERS} subscribers; median of the rounds' ratios ${fmt(ratio, 2)}× (target ≥ 0.9×); ` +
      `${fmt(median(delivered))} events delivered/s`,
  );
} finally {
  await stopChild(server);
}
