/**
 * The benchmark harness. Starts each server in its own process, runs every scenario's load
 * in another process (so the harness eats no CPU while measuring), and prints req/s and
 * latency with the ratio to a bare node:http server measured the same way in the same run.
 *
 * Env: BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (32),
 *      BENCH_STORAGE=inmem|sqlite (inmem), BENCH_FILTER=<substring of scenario names>,
 *      BENCH_PROFILE=1 to run both servers with --cpu-prof into bench/out/
 *      (summarise with dist/bench/profile-summary.js).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, startChild, stopChild, type Child } from './child.js';
import type { LoadSpec } from './load.js';
import { apiCall } from './api-call.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const outDir = resolve(here, '../../bench/out');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = env('BENCH_SECONDS', 10);
const WARMUP = env('BENCH_WARMUP', 2);
const CONNECTIONS = env('BENCH_CONNECTIONS', 32);
const STORAGE = process.env['BENCH_STORAGE'] ?? 'inmem';
const PROFILE = process.env['BENCH_PROFILE'] === '1';

/** bare: the ceiling; fastify: the framework alone, for reference; coffer: the real server. */
type Target = 'bare' | 'fastify' | 'coffer';

/** What a scenario sees: the running server, and whatever its setup stored in vars. */
export interface Ctx {
  address: string;
  rootToken: string;
  vars: Record<string, string>;
}

export interface Scenario {
  name: string;
  target: Target;
  method: LoadSpec['method'];
  path: string;
  headers?: (ctx: Ctx) => Record<string, string>;
  /** The request body; a function when it depends on what setup made (a ciphertext to decrypt). */
  body?: string | ((ctx: Ctx) => string);
  /** A bare row that is the floor of an encrypt, not a ceiling (see bare-server.ts). */
  encryptFloor?: boolean;
  /** A Coffer row that also prints its share of the encrypt floor. */
  versusEncryptFloor?: boolean;
  /** Items per request (batches): the row also shows items per second. */
  items?: number;
  /** Every request goes to a new path (`<path>-<n>`): writes of distinct keys. */
  uniquePaths?: boolean;
  /** Runs once before the load, e.g. to create a token or write a secret into ctx.vars. */
  setup?: (ctx: Ctx) => Promise<void>;
  /** Runs once after the load: undoes what setup changed for the scenarios after it. */
  teardown?: (ctx: Ctx) => Promise<void>;
  /** A line printed under the scenario's figures. */
  note?: (ctx: Ctx) => string;
}

/** One request from the harness (setup and sanity checks only, never the load itself). */
const call = (ctx: Ctx, method: string, path: string, token: string, body?: unknown): Promise<any> => apiCall(ctx.address + path, method, token, body);

const asRoot = (ctx: Ctx) => ({ 'x-vault-token': ctx.rootToken });

/** A transit encrypt request's body: 200 random bytes, base64 (the bare POST ceiling sends the same size). */
const encryptBody = () => JSON.stringify({ plaintext: randomBytes(200).toString('base64') });

const scenarios: Scenario[] = [
  { name: 'bare node:http', target: 'bare', method: 'GET', path: '/v1/auth/token/lookup-self' },
  {
    // The ceiling for requests with a body: node:http parsing a POST and reading its body
    // costs it more than a GET. POST rows are compared with both.
    name: 'bare node:http POST',
    target: 'bare',
    method: 'POST',
    path: '/v1/transit/encrypt/bench',
    headers: () => ({ 'x-vault-token': 'hvs.CAESIJ7mQ2bJfWvXl0sRkP4yT9aZ', 'content-type': 'application/json' }),
    body: encryptBody(),
  },
  {
    // Not a ceiling of node:http alone but the floor of an encrypt: the bare server parses the
    // same body, seals it with node:crypto and answers, with no token, policy or routing.
    name: 'bare node:http encrypt',
    target: 'bare',
    method: 'POST',
    path: '/bare-encrypt',
    encryptFloor: true,
    headers: () => ({ 'x-vault-token': 'hvs.CAESIJ7mQ2bJfWvXl0sRkP4yT9aZ', 'content-type': 'application/json' }),
    body: encryptBody(),
  },
  { name: 'bare fastify (reference)', target: 'fastify', method: 'GET', path: '/v1/auth/token/lookup-self' },
  { name: 'lookup-self (root)', target: 'coffer', method: 'GET', path: '/v1/auth/token/lookup-self', headers: asRoot },
  {
    name: 'lookup-self (default policy)',
    target: 'coffer',
    method: 'GET',
    path: '/v1/auth/token/lookup-self',
    headers: (ctx) => ({ 'x-vault-token': ctx.vars['token']! }),
    async setup(ctx) {
      const created = await call(ctx, 'POST', '/v1/auth/token/create', ctx.rootToken, { policies: ['default'] });
      ctx.vars['token'] = created.auth.client_token;
    },
  },
  {
    name: 'kv-v2 read (policy token)',
    target: 'coffer',
    method: 'GET',
    path: '/v1/secret/data/bench/db',
    headers: (ctx) => ({ 'x-vault-token': ctx.vars['reader']! }),
    async setup(ctx) {
      await call(ctx, 'POST', '/v1/secret/data/bench/db', ctx.rootToken, { data: { username: 'svc-app', password: 'correct-horse-battery-staple', port: 5432 } });
      await call(ctx, 'PUT', '/v1/sys/policies/acl/bench-reader', ctx.rootToken, { policy: 'path "secret/data/bench/*" { capabilities = ["read"] }' });
      ctx.vars['reader'] = (await call(ctx, 'POST', '/v1/auth/token/create', ctx.rootToken, { policies: ['bench-reader'] })).auth.client_token;
    },
  },
  {
    // The same read with a file audit device on: a request entry written before the handler
    // runs and a response entry fdatasync'ed (group commit) before the answer leaves.
    name: 'kv-v2 read, file audit on',
    target: 'coffer',
    method: 'GET',
    path: '/v1/secret/data/bench/db',
    headers: (ctx) => ({ 'x-vault-token': ctx.vars['reader']! }),
    async setup(ctx) {
      if (!ctx.vars['reader']) throw new Error('run with the "kv-v2 read (policy token)" scenario before this one (same BENCH_FILTER)');
      const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-audit-'));
      ctx.vars['auditDir'] = dir;
      ctx.vars['auditFile'] = join(dir, 'audit.log');
      await call(ctx, 'PUT', '/v1/sys/audit/bench-file', ctx.rootToken, { type: 'file', options: { file_path: ctx.vars['auditFile'] } });
    },
    async teardown(ctx) {
      await call(ctx, 'DELETE', '/v1/sys/audit/bench-file', ctx.rootToken);
      rmSync(ctx.vars['auditDir']!, { recursive: true, force: true });
    },
    note: (ctx) => `  (audit log: ${fmt(statSync(ctx.vars['auditFile']!).size / 1024 / 1024, 1)} MiB written)`,
  },
  {
    name: 'kv-v2 write, distinct keys (durable)',
    target: 'coffer',
    method: 'POST',
    path: '/v1/secret/data/bench/write/key',
    headers: (ctx) => ({ ...asRoot(ctx), 'content-type': 'application/json' }),
    body: JSON.stringify({ data: { username: 'svc-app', password: 'correct-horse-battery-staple' } }),
    uniquePaths: true,
  },
  {
    // Each login reads the role and secret id and creates a token (durable on sqlite); an
    // unlimited secret id is not written back.
    name: 'approle login',
    target: 'coffer',
    method: 'POST',
    path: '/v1/auth/approle/login',
    headers: () => ({ 'content-type': 'application/json' }),
    body: (ctx) => JSON.stringify({ role_id: ctx.vars['roleId'], secret_id: ctx.vars['secretId'] }),
    async setup(ctx) {
      await call(ctx, 'POST', '/v1/sys/auth/approle', ctx.rootToken, { type: 'approle' });
      await call(ctx, 'POST', '/v1/auth/approle/role/bench', ctx.rootToken, { token_policies: 'default', token_ttl: '1h' });
      ctx.vars['roleId'] = (await call(ctx, 'GET', '/v1/auth/approle/role/bench/role-id', ctx.rootToken)).data.role_id;
      ctx.vars['secretId'] = (await call(ctx, 'POST', '/v1/auth/approle/role/bench/secret-id', ctx.rootToken, {})).data.secret_id;
    },
  },
  {
    // One scrypt hash (N=2^15, r=8, p=1) per login, at most two at a time (password-hash.ts).
    name: 'userpass login (scrypt)',
    target: 'coffer',
    method: 'POST',
    path: '/v1/auth/userpass/login/bench',
    headers: () => ({ 'content-type': 'application/json' }),
    body: JSON.stringify({ password: 'correct-horse-battery-staple' }),
    async setup(ctx) {
      await call(ctx, 'POST', '/v1/sys/auth/userpass', ctx.rootToken, { type: 'userpass' });
      // Lockout stays on: every login here succeeds, so it never triggers.
      await call(ctx, 'POST', '/v1/auth/userpass/users/bench', ctx.rootToken, { password: 'correct-horse-battery-staple', token_ttl: '1h' });
    },
  },
  ...transitScenarios(),
];

/**
 * transit (issue 5): encrypt and decrypt of a 200-byte payload, single and as 1,000-item
 * batches, with the root token; encrypt also with a token whose policy allows only it.
 */
function transitScenarios(): Scenario[] {
  const single = encryptBody();
  const payload = (JSON.parse(single) as { plaintext: string }).plaintext;
  const batch = JSON.stringify({ batch_input: Array.from({ length: 1000 }, () => ({ plaintext: randomBytes(200).toString('base64') })) });
  const json = (ctx: Ctx, token = ctx.rootToken) => ({ 'x-vault-token': token, 'content-type': 'application/json' });
  async function ready(ctx: Ctx): Promise<void> {
    if (ctx.vars['transit']) return;
    await call(ctx, 'POST', '/v1/sys/mounts/transit', ctx.rootToken, { type: 'transit' });
    await call(ctx, 'POST', '/v1/transit/keys/bench', ctx.rootToken, {});
    ctx.vars['ciphertext'] = (await call(ctx, 'POST', '/v1/transit/encrypt/bench', ctx.rootToken, { plaintext: payload })).data.ciphertext;
    const encrypted = await call(ctx, 'POST', '/v1/transit/encrypt/bench', ctx.rootToken, JSON.parse(batch));
    ctx.vars['batch'] = JSON.stringify({ batch_input: encrypted.data.batch_results.map((r: { ciphertext: string }) => ({ ciphertext: r.ciphertext })) });
    await call(ctx, 'PUT', '/v1/sys/policies/acl/bench-encrypt', ctx.rootToken, { policy: 'path "transit/encrypt/bench" { capabilities = ["update"] }' });
    ctx.vars['encryptor'] = (await call(ctx, 'POST', '/v1/auth/token/create', ctx.rootToken, { policies: ['bench-encrypt'] })).auth.client_token;
    ctx.vars['transit'] = '1';
  }
  return [
    { name: 'transit encrypt 200 B', target: 'coffer', method: 'POST', path: '/v1/transit/encrypt/bench', headers: (ctx) => json(ctx), body: single, setup: ready, versusEncryptFloor: true },
    {
      name: 'transit encrypt (policy token)',
      target: 'coffer',
      method: 'POST',
      path: '/v1/transit/encrypt/bench',
      headers: (ctx) => json(ctx, ctx.vars['encryptor']),
      body: single,
      setup: ready,
      versusEncryptFloor: true,
    },
    { name: 'transit decrypt 200 B', target: 'coffer', method: 'POST', path: '/v1/transit/decrypt/bench', headers: (ctx) => json(ctx), body: (ctx) => JSON.stringify({ ciphertext: ctx.vars['ciphertext'] }), setup: ready },
    { name: 'transit encrypt 1,000 × 200 B', target: 'coffer', method: 'POST', path: '/v1/transit/encrypt/bench', headers: (ctx) => json(ctx), body: batch, items: 1000, setup: ready },
    { name: 'transit decrypt 1,000 × 200 B', target: 'coffer', method: 'POST', path: '/v1/transit/decrypt/bench', headers: (ctx) => json(ctx), body: (ctx) => ctx.vars['batch']!, items: 1000, setup: ready },
  ];
}


const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const profileFlags = (name: string) =>
  PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=${name}-${stamp}.cpuprofile`] : [];

async function startTarget(target: Target): Promise<{ server: Child; ctx: Ctx }> {
  if (PROFILE) mkdirSync(outDir, { recursive: true });
  if (target !== 'coffer') {
    const server = await startChild(`${target}-server.js`, [], profileFlags(target));
    return { server, ctx: { address: server.info.address, rootToken: '', vars: {} } };
  }
  const server = await startChild('coffer-server.js', [STORAGE], profileFlags(`coffer-${STORAGE}`));
  return { server, ctx: { address: server.info.address, rootToken: server.info.token, vars: {} } };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const filter = process.env['BENCH_FILTER'];
const selected = scenarios.filter((s) => s.target === 'bare' || !filter || s.name.includes(filter));
console.log(
  `node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; ${CONNECTIONS} connections, keep-alive, ${WARMUP} s warm-up + ${SECONDS} s per scenario, coffer storage ${STORAGE}${PROFILE ? ', PROFILING (figures not comparable)' : ''}`,
);

/** The bare server's req/s by method: GET is every row's ceiling, POST also that of rows with a small body. */
const ceilings: Partial<Record<LoadSpec['method'], number>> = {};
/** The bare server's encrypts per second: single encrypt rows also show their share of it. */
let encryptFloor: number | undefined;
let invalid = 0;
for (const target of ['bare', 'fastify', 'coffer'] as const) {
  const list = selected.filter((s) => s.target === target);
  if (list.length === 0) continue;
  const { server, ctx } = await startTarget(target);
  try {
    for (const s of list) {
      await s.setup?.(ctx);
      const headers = s.headers?.(ctx) ?? {};
      const body = typeof s.body === 'function' ? s.body(ctx) : s.body;
      // Sanity: one request by hand must succeed before we measure thousands.
      const probe = await fetch(ctx.address + s.path, { method: s.method, headers, body });
      if (!probe.ok) throw new Error(`${s.name}: probe answered ${probe.status} ${await probe.text()}`);
      await probe.arrayBuffer();
      const r = await runLoad({ url: ctx.address + s.path, method: s.method, headers, body, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, serverPid: server.child.pid, uniquePaths: s.uniquePaths });
      if (s.encryptFloor) encryptFloor = r.rps;
      else if (target === 'bare') ceilings[s.method] = r.rps;
      const bad = r.non2xx + r.errors + r.timeouts;
      if (bad > 0) invalid++;
      // A batch compares its items per second with the bare server's requests per second.
      const perSecond = r.rps * (s.items ?? 1);
      const bareGet = ceilings.GET ?? NaN;
      const barePost = ceilings.POST;
      let ratio = target === 'bare' ? `${s.method === 'GET' ? '1.00' : (r.rps / bareGet).toFixed(2)}× bare` : `${(perSecond / bareGet).toFixed(2)}× bare${s.items ? ' in items' : ''} (${fmt(bareGet)} req/s)`;
      if (target !== 'bare' && s.method !== 'GET' && !s.items && barePost) ratio += `, ${(r.rps / barePost).toFixed(2)}× bare POST (${fmt(barePost)})`;
      if (s.versusEncryptFloor && encryptFloor) ratio += `, ${(r.rps / encryptFloor).toFixed(2)}× bare encrypt`;
      // Server CPU per request (user + kernel), from /proc: what each answer really costs.
      const c = r.serverCpu;
      const perReq = (ms: number) => fmt((ms * 1000) / r.requests);
      const serverPct = c ? (c.userMs + c.sysMs) / (10 * r.seconds) : NaN;
      const cpu = c ? `server ${fmt(serverPct)}% cpu, ${perReq(c.userMs)}+${perReq(c.sysMs)} µs/req user+sys` : 'server cpu ?';
      // Whatever else ran on the machine meanwhile (other jobs) makes the row noisy.
      const others = r.machineCpu !== undefined && c ? r.machineCpu - serverPct - r.loadCpu : NaN;
      console.log(
        `${s.name.padEnd(32)} ${fmt(r.rps).padStart(8)} req/s${s.items ? ` (${fmt(r.rps * s.items)} items/s)` : ''}  p50 ${fmt(r.p50, 2).padStart(5)} ms  p99 ${fmt(r.p99, 2).padStart(5)} ms  ${ratio.padEnd(28)}  ${cpu}; load ${fmt(r.loadCpu)}%; others ${fmt(Math.max(0, others))}%${others > 10 ? ' NOISY' : ''}` +
          (bad > 0 ? `  INVALID: non2xx ${r.non2xx} errors ${r.errors} timeouts ${r.timeouts} codes ${JSON.stringify(r.statusCodes)}` : ''),
      );
      if (s.note) console.log(s.note(ctx));
      await s.teardown?.(ctx);
    }
  } finally {
    await stopChild(server);
  }
}
if (PROFILE) console.log(`profiles written to ${outDir}/*-${stamp}.cpuprofile (summarise: node dist/bench/profile-summary.js <file>)`);
if (invalid > 0) {
  console.log(`${invalid} scenario(s) INVALID: some responses were not 2xx or failed`);
  process.exitCode = 1;
}
