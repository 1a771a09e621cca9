/**
 * PKI issuance: certificates per second from issue/:role (EC P-256 and RSA-2048 leaf keys)
 * and sign/:role (a P-256 CSR) at a few keep-alive connections, each beside a bare loop
 * (pki-floor.js) that does the same key generation and signing with the same library and no
 * server, in the same run. Target: the server at ≥ 0.5× its floor.
 * Run alone: `node dist/bench/pki.js`.
 *
 * The issuer is an EC P-256 root on both sides. Rounds alternate which side goes first.
 * Env: BENCH_CONNECTIONS (4), BENCH_STORAGE (sqlite|inmem, default sqlite: every issued
 * certificate is stored), BENCH_COUNT (certificates per row and round, 400; RSA rows a quarter
 * of it), BENCH_ROUNDS (2), BENCH_ROWS (issue-ec,issue-rsa,sign-ec), BENCH_PROFILE=1 (server
 * under --cpu-prof).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiCall } from './api-call.js';
import { startChild, stopChild } from './child.js';
import type { LoadResult, LoadSpec } from './load.js';
import type { FloorResult, FloorSpec } from './pki-floor.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_CONNECTIONS', 4);
const STORAGE = process.env['BENCH_STORAGE'] ?? 'sqlite';
const COUNT = env('BENCH_COUNT', 400);
const ROUNDS = env('BENCH_ROUNDS', 2);
const PROFILE = process.env['BENCH_PROFILE'] === '1';
const ROWS = (process.env['BENCH_ROWS'] ?? 'issue-ec,issue-rsa,sign-ec').split(',');
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function runChild<T>(script: string, spec: unknown): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-pki-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  try {
    const { exited, info } = await startChild(script, [`@${join(dir, 'spec.json')}`]);
    await exited;
    return info as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeCsr(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-csr-'));
  try {
    const out = join(dir, 'req.csr');
    const r = spawnSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=bench.example.com', '-keyout', join(dir, 'k.pem'), '-out', out]);
    if (r.status !== 0) throw new Error(`openssl req: ${r.stderr}`);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; ${CONNECTIONS} connections, ` +
    `${COUNT} certificates per row (RSA ${Math.ceil(COUNT / 4)}) × ${ROUNDS} rounds after a warm-up round, coffer storage ${STORAGE}${PROFILE ? ', PROFILING (figures not comparable)' : ''}`,
);

const outDir = resolve(here, '../../bench/out');
if (PROFILE) mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const serverChild = await startChild('coffer-server.js', [STORAGE], PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=coffer-pki-${stamp}.cpuprofile`] : []);
const address: string = serverChild.info.address;
const token: string = serverChild.info.token;
const call = (method: string, path: string, body?: unknown): Promise<any> => apiCall(`${address}/v1/${path}`, method, token, body);

interface Row {
  label: string;
  kind: FloorSpec['kind'];
  path: string;
  body: Record<string, unknown>;
  count: number;
}

try {
  await call('POST', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } });
  await call('POST', 'pki/root/generate/internal', { common_name: 'Bench Root', key_type: 'ec', key_bits: 256, ttl: '8760h' });
  await call('POST', 'pki/roles/ec', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec', key_bits: 256, max_ttl: '72h' });
  await call('POST', 'pki/roles/rsa', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'rsa', key_bits: 2048, max_ttl: '72h' });
  const csr = makeCsr();
  const all: Row[] = [
    { label: 'issue/:role EC P-256  ', kind: 'issue-ec', path: 'pki/issue/ec', body: { common_name: 'bench.example.com', ttl: '1h' }, count: COUNT },
    { label: 'issue/:role RSA-2048  ', kind: 'issue-rsa', path: 'pki/issue/rsa', body: { common_name: 'bench.example.com', ttl: '1h' }, count: Math.ceil(COUNT / 4) },
    { label: 'sign/:role P-256 CSR  ', kind: 'sign-ec', path: 'pki/sign/ec', body: { csr, ttl: '1h' }, count: COUNT },
  ];
  const rows = all.filter((r) => ROWS.includes(r.kind));
  const ratios: Record<string, number[]> = {};
  const cpuRatios: Record<string, number[]> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    const warm = round === 0 ? '(warm-up) ' : '';
    for (const row of rows) {
      const count = round === 0 ? Math.ceil(row.count / 4) : row.count;
      const measure = async () => {
        const spec: LoadSpec = {
          url: `${address}/v1/${row.path}`, method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' },
          body: JSON.stringify(row.body), connections: CONNECTIONS, seconds: 0, warmupSeconds: 0, amount: count, serverPid: serverChild.child.pid,
        };
        return runChild<LoadResult>('load.js', spec);
      };
      const floor = () => runChild<FloorResult>('pki-floor.js', { kind: row.kind, count, concurrency: CONNECTIONS, csr } satisfies FloorSpec);
      let r: LoadResult;
      let f: FloorResult;
      if (round % 2 === 1) {
        f = await floor();
        r = await measure();
      } else {
        r = await measure();
        f = await floor();
      }
      const c = r.serverCpu;
      // CPU per certificate (every thread of the process) holds up on a shared machine, where rates do not.
      const cpuPer = c ? (c.userMs + c.sysMs) / r.requests : NaN;
      const cpu = c ? `server ${fmt((c.userMs + c.sysMs) / (10 * r.seconds))}% cpu, ${fmt(cpuPer, 2)} ms cpu/cert` : '';
      const bad = r.non2xx + r.errors + r.timeouts;
      const ratio = r.rps / f.perSecond;
      if (round > 0) (ratios[row.label] ??= []).push(ratio);
      if (round > 0) (cpuRatios[row.label] ??= []).push(f.cpuMsPer / cpuPer);
      console.log(
        `${warm}${row.label} ${CONNECTIONS} conns ${fmt(r.rps).padStart(6)} certs/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  ${cpu}` +
          `  | floor ${fmt(f.perSecond).padStart(6)} certs/s, ${fmt(f.cpuMsPer, 2)} ms cpu/cert  ratio ${ratio.toFixed(2)} (target ≥ 0.5), cpu ratio ${(f.cpuMsPer / cpuPer).toFixed(2)}` +
          (bad ? `  INVALID: non2xx ${r.non2xx} errors ${r.errors} ${JSON.stringify(r.statusCodes)}` : ''),
      );
      if (bad) process.exitCode = 1;
    }
  }
  for (const [label, rs] of Object.entries(ratios)) {
    console.log(`${label} server / floor over ${rs.length} rounds: rate ${rs.map((x) => x.toFixed(2)).join(', ')}; cpu per cert (floor / server) ${cpuRatios[label]!.map((x) => x.toFixed(2)).join(', ')}`);
  }
} finally {
  await stopChild(serverChild);
}
if (PROFILE) console.log(`profile written to ${outDir}/coffer-pki-${stamp}.cpuprofile (summarise: node dist/bench/profile-summary.js <file>)`);
