/**
 * The database engine (issue 16) against a throwaway PostgreSQL: dynamic credentials per
 * second at 16 connections beside the same statements sent straight through `pg` (the
 * database's own limit) in the same run, the time to revoke 1,000 leases by prefix, and the
 * time to rotate 1,000 static roles. Run alone: `node dist/bench/database.js`.
 *
 * Processes: this harness (setup and the timed admin calls), the Coffer server
 * (coffer-server.js), the load generator (load.js, its fixed-count loop) or the direct `pg` clients
 * (pg-direct.js), and PostgreSQL (test/helpers/postgres.ts: fsync off, so its figures are
 * CPU and round trips, not disk).
 *
 * Env: BENCH_CONNECTIONS (16), BENCH_STORAGE (sqlite|inmem, default sqlite: leases
 * durable), BENCH_POOL (the config's max_open_connections; unset: the engine's default),
 * BENCH_CREDS (1,000 creds per round, then revoked by prefix), BENCH_ROUNDS (3),
 * BENCH_COUNT (1,000 static roles), BENCH_PROFILE=1 (server under --cpu-prof).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../test/helpers/postgres.js';
import { startChild, stopChild } from './child.js';
import type { LoadResult, LoadSpec } from './load.js';
import type { DirectResult, DirectSpec } from './pg-direct.js';
import { apiCall } from './api-call.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_CONNECTIONS', 16);
const STORAGE = process.env['BENCH_STORAGE'] ?? 'sqlite';
// Coffer's pool: the engine's default (4, as Vault's) unless BENCH_POOL says otherwise. Measured
// with 16 too: no better, as 16 transactions at once collide more often in the catalog.
const POOL = process.env['BENCH_POOL'] ? Number(process.env['BENCH_POOL']) : undefined;
const CREDS = env('BENCH_CREDS', 1000);
const COUNT = env('BENCH_COUNT', 1000);
const ROUNDS = env('BENCH_ROUNDS', 3);
const PROFILE = process.env['BENCH_PROFILE'] === '1';

const CREATION = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const since = (t0: number) => (performance.now() - t0) / 1000;

async function withSpecFile<T>(spec: unknown, fn: (arg: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-db-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  try {
    return await fn(`@${join(dir, 'spec.json')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runChild<T>(script: string, spec: unknown): Promise<T> {
  return withSpecFile(spec, async (arg) => {
    const { exited, info } = await startChild(script, [arg]);
    await exited;
    return info as T;
  });
}

/** `count` calls of `fn(i)`, `concurrency` at a time. */
async function inParallel(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) await fn(i);
  }));
}

console.log(
  `node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; ${CONNECTIONS} connections, ` +
    `${CREDS} creds × ${ROUNDS} rounds after a warm-up round, ${COUNT} static roles, coffer storage ${STORAGE}, max_open_connections ${POOL ?? 'default'}${PROFILE ? ', PROFILING (figures not comparable)' : ''}`,
);

const pg = await startPostgres();
const rootUser = 'coffer_root';
const rootPassword = `root-${Math.random().toString(36).slice(2)}`;
await pg.query(`CREATE ROLE ${rootUser} WITH LOGIN SUPERUSER PASSWORD '${rootPassword}'`);
await pg.query('CREATE TABLE widgets (id int); INSERT INTO widgets VALUES (1), (2)');
const version = (await pg.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
const countRoles = async (like: string) => (await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE $1', [like])).rows[0]!.n;

const outDir = resolve(here, '../../bench/out');
if (PROFILE) mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const server = await startChild('coffer-server.js', [STORAGE], PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=coffer-database-${stamp}.cpuprofile`] : []);
const address: string = server.info.address;
const token: string = server.info.token;

const call = (method: string, path: string, body?: unknown): Promise<any> => apiCall(`${address}/v1/${path}`, method, token, body);

try {
  console.log(`PostgreSQL ${version} (fsync off), Coffer at ${address}`);
  await call('POST', 'sys/mounts/database', { type: 'database' });
  await call('POST', 'database/config/bench', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: pg.url(),
    username: rootUser,
    password: rootPassword,
    allowed_roles: '*',
    ...(POOL === undefined ? {} : { max_open_connections: POOL }),
  });
  await call('POST', 'database/roles/bench', { db_name: 'bench', creation_statements: CREATION, default_ttl: '1h', max_ttl: '24h' });

  // Rows 1 and 2, in rounds: CREDS roles made straight through pg (then dropped), and CREDS
  // creds through Coffer (then their leases revoked by prefix: row 2). A fixed count, each from an empty
  // catalog: every GRANT rewrites the table's whole ACL, so the rate falls as live grantees
  // pile up (and a few thousand overflow pg_class's row); both sides must see the same sizes.
  // Round 0 warms up (the server's JIT, its pools and caches) and is not counted.
  const ratios: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const amount = CREDS;
    const label = round === 0 ? '(warm-up) ' : '';
    const measureDirect = async (): Promise<DirectResult> => {
      const direct = await runChild<DirectResult>('pg-direct.js', {
        host: pg.host, port: pg.port, user: rootUser, password: rootPassword, statements: CREATION, prefix: 'd-bench-',
        connections: CONNECTIONS, seconds: 0, warmupSeconds: 0, amount,
      } satisfies DirectSpec);
      console.log(
        `${label}direct pg, ${CONNECTIONS} conns                ${fmt(direct.rps).padStart(6)} roles/s  p50 ${fmt(direct.p50, 2)} ms  p99 ${fmt(direct.p99, 2)} ms  (${fmt(direct.created)} in ${fmt(direct.seconds, 2)} s, ${fmt(direct.conflicts)} catalog conflicts retried${direct.errors ? `, ${direct.errors} ERRORS: ${direct.firstError}` : ''})`,
      );
      if (direct.errors) process.exitCode = 1;
      // Dropped straight away (not part of any figure), so every row starts from the same catalog.
      const made = (await pg.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'd-bench-%'")).rows.map((r) => `"${r.rolname}"`);
      for (let i = 0; i < made.length; i += 500) {
        const batch = made.slice(i, i + 500).join(', ');
        await pg.query(`DROP OWNED BY ${batch}; DROP ROLE ${batch}`);
      }
      return direct;
    };
    const measureCoffer = async (): Promise<LoadResult> => {
      const spec: LoadSpec = {
        url: `${address}/v1/database/creds/bench`, method: 'GET', headers: { 'x-vault-token': token },
        connections: CONNECTIONS, seconds: 0, warmupSeconds: 0, amount, serverPid: server.child.pid,
      };
      const r = await runChild<LoadResult>('load.js', spec);
      const c = r.serverCpu;
      const perReq = (ms: number) => fmt((ms * 1000) / r.requests);
      const cpu = c ? `server ${fmt((c.userMs + c.sysMs) / (10 * r.seconds))}% cpu, ${perReq(c.userMs)}+${perReq(c.sysMs)} µs/req user+sys` : '';
      const others = r.machineCpu !== undefined && c ? r.machineCpu - (c.userMs + c.sysMs) / (10 * r.seconds) - r.loadCpu : NaN;
      const bad = r.non2xx + r.errors + r.timeouts;
      console.log(
        `${label}database creds (postgresql), ${CONNECTIONS} conns ${fmt(r.rps).padStart(6)} req/s    p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  ` +
          `(${fmt(r.requests)} in ${fmt(r.seconds, 2)} s)  ${cpu}; postgres+others ${fmt(Math.max(0, others))}% cpu` +
          (bad ? `  INVALID: non2xx ${r.non2xx} errors ${r.errors} timeouts ${r.timeouts} ${JSON.stringify(r.statusCodes)}` : ''),
      );
      if (bad) process.exitCode = 1;
      // Row 2: the leases just made, revoked by prefix (before the other half: an empty catalog for it too).
      const before = await countRoles('v-root-bench-%');
      const t0 = performance.now();
      await call('POST', 'sys/leases/revoke-prefix/database/creds/bench', {});
      const s = since(t0);
      const left = await countRoles('v-root-bench-%');
      const leasesLeft = (await call('GET', 'sys/leases/lookup/database/creds/bench/?list=true').catch(() => undefined))?.data?.keys?.length ?? 0;
      console.log(`${label}revoke-prefix of ${fmt(before)} leases        ${fmt(s, 2)} s  (${fmt(before / s)} leases/s); users left ${left}, leases left ${leasesLeft}`);
      if (left || leasesLeft) process.exitCode = 1;
      return r;
    };
    // PostgreSQL's catalogs bloat with every role made and dropped: vacuumed before each half,
    // and the halves alternate which goes first, so neither always meets the fuller catalog.
    let direct: DirectResult;
    let creds: LoadResult;
    if (round % 2 === 1) {
      await pg.query('VACUUM');
      direct = await measureDirect();
      await pg.query('VACUUM');
      creds = await measureCoffer();
    } else {
      await pg.query('VACUUM');
      creds = await measureCoffer();
      await pg.query('VACUUM');
      direct = await measureDirect();
    }
    const ratio = creds.rps / direct.rps;
    if (round > 0) ratios.push(ratio);
    console.log(`${label}creds / direct pg: ${ratio.toFixed(2)} (target ≥ 0.7)`);
  }
  if (ratios.length > 1) console.log(`creds / direct pg over ${ratios.length} rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}`);

  // Row 3: rotate COUNT static roles.
  await pg.query(`DO $$ BEGIN FOR i IN 1..${COUNT} LOOP EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', 'static_' || i, 'initial-pw'); END LOOP; END $$`);
  let t0 = performance.now();
  await inParallel(COUNT, CONNECTIONS, (i) => call('PUT', `database/static-roles/s${i + 1}`, { db_name: 'bench', username: `static_${i + 1}`, rotation_period: '24h' }));
  let s = since(t0);
  console.log(`created ${fmt(COUNT)} static roles in ${fmt(s, 2)} s (${fmt(COUNT / s)}/s, each rotated at creation, ${CONNECTIONS} at a time)`);
  const first = (await call('GET', 'database/static-creds/s1')).data;
  t0 = performance.now();
  await inParallel(COUNT, CONNECTIONS, (i) => call('PUT', `database/rotate-role/s${i + 1}`, {}));
  s = since(t0);
  const after = (await call('GET', 'database/static-creds/s1')).data;
  const login = await pg.login('static_1', after.password);
  const oldLogin = await pg.login('static_1', first.password);
  console.log(
    `rotate ${fmt(COUNT)} static roles (rotate-role, ${CONNECTIONS} at a time)  ${fmt(s, 2)} s  (${fmt(COUNT / s)} rotations/s); ` +
      `check: new password logs in ${login.ok}, previous one refused ${!oldLogin.ok}`,
  );
} finally {
  await stopChild(server);
  await pg.stop();
}
if (PROFILE) console.log(`profile written to ${outDir}/coffer-database-${stamp}.cpuprofile (summarise: node dist/bench/profile-summary.js <file>)`);
