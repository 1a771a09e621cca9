/**
 * An HA cluster on PostgreSQL (three `coffer server` processes, test/helpers/ha-cluster.ts):
 * 1. failover time after `kill -9` of the active node, under a write load from several
 *    clients: from the kill to the first write acknowledged again, over several trials,
 *    against the 10 s target; every acknowledged write is checked afterwards;
 * 2. kv-v2 reads per second through the active node alone, and through the active node
 *    and a standby together (the standby forwards: the active node still does the work).
 * Run alone: `node dist/bench/ha-failover.js`.
 *
 * Env: BENCH_TRIALS (5), BENCH_CLIENTS (writers during a failover, 6), BENCH_CONNECTIONS
 * (reads, 32 in all), BENCH_SECONDS (per read measurement, 5).
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHaCluster, type HaNode } from '../test/helpers/ha-cluster.js';
import { missingWrites, startWriteLoad } from '../test/helpers/ha-load.js';
import { runLoad } from './child.js';
import type { LoadResult, LoadSpec } from './load.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TRIALS = env('BENCH_TRIALS', 5);
const CLIENTS = env('BENCH_CLIENTS', 6);
const CONNECTIONS = env('BENCH_CONNECTIONS', 32);
const SECONDS = env('BENCH_SECONDS', 5);
const TARGET_MS = 10_000;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;


console.log(`ha-failover bench: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; 3 nodes, ${TRIALS} trials, ${CLIENTS} writers`);
// No audit device: its fdatasync per request would be what is measured on this disk.
const cluster = await startHaCluster(3, { audit: false });
const alive = (n: HaNode) => n.server.child.exitCode === null && n.server.child.signalCode === null;
try {
  const first = await cluster.waitForActive();
  await first.call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });

  const times: number[] = [];
  for (let trial = 1; trial <= TRIALS; trial++) {
    const active = await cluster.waitForActive();
    const load = startWriteLoad(() => cluster.nodes.filter(alive).map((n) => n.address), cluster.rootToken, CLIENTS, 'kv');
    await sleep(1500);
    const killedAt = Date.now();
    await active.server.kill('SIGKILL');
    // Answers the dead node sent before dying may still be read after the kill: count from its exit.
    const deadAt = Date.now() + 20;
    while (load.firstAckAfter(deadAt) === undefined && Date.now() < killedAt + 60_000) await sleep(20);
    const firstAck = load.firstAckAfter(deadAt);
    await sleep(500);
    await load.stop();
    const next = await cluster.waitForActive(cluster.nodes.filter(alive));
    const wrong = await missingWrites(next.address, cluster.rootToken, load.acked, 'kv');
    const ms = firstAck === undefined ? Infinity : firstAck - killedAt;
    times.push(ms);
    console.log(
      `trial ${trial}: kill -9 of ${active.name} → first acknowledged write ${fmt(ms)} ms (new active ${next.name}); ` +
        `${fmt(load.acked.size)} writes acknowledged, ${wrong.length === 0 ? 'all readable' : `${wrong.length} MISSING: ${wrong[0]}`}`,
    );
    if (wrong.length) process.exitCode = 1;
    await cluster.restart(cluster.nodes.indexOf(active));
    await sleep(1000);
  }
  const worst = Math.max(...times);
  console.log(`failover after kill -9: median ${fmt(median(times))} ms, max ${fmt(worst)} ms (target < ${fmt(TARGET_MS)} ms) ${worst < TARGET_MS ? 'ok' : 'MISSED'}`);

  // Reads: one key, read back to back.
  const active = await cluster.waitForActive();
  const standby = cluster.nodes.find((n) => n !== active)!;
  await active.call('POST', 'kv/data/read-me', { data: { value: 'x'.repeat(64) } });
  const spec = (node: HaNode, connections: number): LoadSpec => ({
    url: `${node.address}/v1/kv/data/read-me`, method: 'GET', headers: { 'x-vault-token': cluster.rootToken }, connections, seconds: SECONDS, warmupSeconds: 1,
  });
  const line = (label: string, r: LoadResult) => {
    const bad = r.non2xx + r.errors + r.timeouts;
    console.log(`${label.padEnd(40)} ${fmt(r.rps).padStart(7)} reads/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms${bad ? `  INVALID: ${JSON.stringify(r.statusCodes)} errors ${r.errors}` : ''}`);
    if (bad) process.exitCode = 1;
  };
  const one = await runLoad(spec(active, CONNECTIONS));
  line(`kv reads, active alone, ${CONNECTIONS} conns`, one);
  const viaStandby = await runLoad(spec(standby, CONNECTIONS));
  line(`kv reads, standby alone (forwarded)`, viaStandby);
  const [a, s] = await Promise.all([runLoad(spec(active, CONNECTIONS / 2)), runLoad(spec(standby, CONNECTIONS / 2))]);
  line(`  active share, ${CONNECTIONS / 2} conns`, a);
  line(`  standby share, ${CONNECTIONS / 2} conns`, s);
  console.log(`kv reads, active + standby together: ${fmt(a.rps + s.rps)} reads/s (${((a.rps + s.rps) / one.rps).toFixed(2)}× the active alone)`);
} finally {
  await cluster.stop();
}
