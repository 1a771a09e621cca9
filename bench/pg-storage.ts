/**
 * The postgresql storage backend: durable kv-v2 writes per second through Coffer at 32
 * connections, beside the same writes made straight through `pg` at the same concurrency
 * in the same run (the database's own limit). Run alone: `node dist/bench/pg-storage.js`.
 *
 * PostgreSQL runs with its crash safety on (fsync, synchronous_commit): a write counts only
 * once its commit is flushed, on both sides. One kv-v2 write stores two rows (the version
 * and the key's metadata) in one transaction; the direct side sends exactly that — one
 * INSERT of two rows of similar size into a table of the same shape (same primary key and
 * parent_path index) — per operation, as many operations as Coffer served in its run.
 *
 * Processes: this harness, the Coffer server (coffer-server.js, dev mode, storage at
 * VAULT_PG_CONNECTION_URL), the load generator (load.js: autocannon, a new key per request
 * — its fixed-count loop would write one key, whose writes kv-v2 serializes) or the direct
 * clients (pg-direct.js), and PostgreSQL (test/helpers/postgres.ts, durable).
 *
 * Env: BENCH_CONNECTIONS (32), BENCH_SECONDS (Coffer's measured time per round, 8), BENCH_ROUNDS
 * (3, after one warm-up round).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureSchema } from '../src/physical/postgresql/pg-schema.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { startChild, stopChild } from './child.js';
import type { LoadResult, LoadSpec } from './load.js';
import type { DirectResult, DirectSpec } from './pg-direct.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_CONNECTIONS', 32);
const SECONDS = env('BENCH_SECONDS', 8);
const ROUNDS = env('BENCH_ROUNDS', 3);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ~320 bytes per row, about what the sealed metadata and version entries of a small secret take.
const ROW = `convert_to(repeat('{{password}}', 16), 'UTF8')`;
const DIRECT = `INSERT INTO bench_rows (parent_path, path, key, value) VALUES ('/', '/{{name}}/', 'meta', ${ROW}), ('/', '/{{name}}/', 'data', ${ROW})`;
const SECRET = JSON.stringify({ data: { username: 'app', password: 'x'.repeat(40), url: 'postgresql://db.internal:5432/app' } });

async function runChild<T>(script: string, spec: unknown): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-pgs-'));
  try {
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const { exited, info } = await startChild(script, [`@${join(dir, 'spec.json')}`]);
    await exited;
    return info as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`pg-storage bench: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${CONNECTIONS} connections, ${SECONDS} s per round`);
const db = await startPostgres({ durable: true });
const admin = new pg.Client({ host: db.host, port: db.port, user: 'postgres', password: db.password, database: 'postgres' });
await admin.connect();
await ensureSchema(admin, '"bench_rows"', null);
await admin.end();
process.env['VAULT_PG_CONNECTION_URL'] = db.url('postgres', db.password);
const server = await startChild('coffer-server.js', ['postgresql']);
const { address, token } = server.info as { address: string; token: string };

try {
  const ratios: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const label = round === 0 ? '(warm-up) ' : '';
    const coffer = async (): Promise<LoadResult> => {
      const spec: LoadSpec = {
        url: `${address}/v1/secret/data/r${round}/k`, method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' },
        body: SECRET, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 1, uniquePaths: true, serverPid: server.child.pid,
      };
      const r = await runChild<LoadResult>('load.js', spec);
      const c = r.serverCpu;
      const bad = r.non2xx + r.errors + r.timeouts;
      console.log(
        `${label}coffer kv-v2 writes on postgresql, ${CONNECTIONS} conns ${fmt(r.rps).padStart(6)} writes/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  ` +
          `(${fmt(r.requests)} in ${fmt(r.seconds, 2)} s${c ? `, server ${fmt((c.userMs + c.sysMs) / (10 * r.seconds))}% cpu` : ''})` +
          (bad ? `  INVALID: non2xx ${r.non2xx} errors ${r.errors} timeouts ${r.timeouts} ${JSON.stringify(r.statusCodes)}` : ''),
      );
      if (bad) process.exitCode = 1;
      return r;
    };
    const direct = async (amount: number): Promise<DirectResult> => {
      const r = await runChild<DirectResult>('pg-direct.js', {
        host: db.host, port: db.port, user: 'postgres', password: db.password, statements: DIRECT, prefix: `r${round}-`,
        connections: CONNECTIONS, seconds: 0, warmupSeconds: 0, amount,
      } satisfies DirectSpec);
      console.log(
        `${label}direct pg 2-row inserts, ${CONNECTIONS} conns        ${fmt(r.rps).padStart(6)} writes/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  ` +
          `(${fmt(r.created)} in ${fmt(r.seconds, 2)} s${r.errors ? `, ${r.errors} ERRORS: ${r.firstError}` : ''})`,
      );
      if (r.errors) process.exitCode = 1;
      return r;
    };
    // Coffer first: the direct side then writes as many rows as Coffer did.
    const c = await coffer();
    const d = await direct(c.requests);
    const ratio = c.rps / d.rps;
    if (round > 0) ratios.push(ratio);
    console.log(`${label}coffer / direct pg: ${ratio.toFixed(2)} (target ≥ 0.5)`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`coffer / direct pg over ${ratios.length} rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')} (median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)})`);
} finally {
  await stopChild(server);
  await db.stop();
}
