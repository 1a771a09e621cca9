/**
 * cert auth logins per second, each beside its floor measured in the same run:
 *  - new connection per request: a cert login (full TLS handshake with a client certificate,
 *    then POST auth/cert/login) beside the same handshake and a fixed 200 from a bare
 *    node:https server with the same TLS settings;
 *  - keep-alive connections: cert logins beside auth/token/lookup-self on the same Coffer
 *    server and the same kind of connections.
 * Run alone: `node dist/bench/cert-login.js`. Env: BENCH_CONNECTIONS (4), BENCH_COUNT
 * (requests per row and round, 1000), BENCH_ROUNDS (2), BENCH_STORAGE (sqlite|inmem, default
 * sqlite: every login writes a token).
 */
import { request, Agent } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { startChild, stopChild } from './child.js';
import { CertFactory } from '../test/helpers/client-certs.js';
import { selfSignedCert } from '../test/helpers/tls-cert.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_CONNECTIONS', 4);
const COUNT = env('BENCH_COUNT', 1000);
const ROUNDS = env('BENCH_ROUNDS', 2);
const STORAGE = process.env['BENCH_STORAGE'] ?? 'sqlite';
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  keepAlive: boolean;
}

/** `count` requests over CONNECTIONS workers; requests per second. Any non-2xx answer aborts the run. */
async function measure(t: Target, tls: { ca: string; cert: string; key: string }, count: number): Promise<number> {
  const agents = Array.from({ length: CONNECTIONS }, () => new Agent({ ...tls, keepAlive: t.keepAlive, maxSockets: 1 }));
  let left = count;
  const one = (agent: Agent) =>
    new Promise<void>((resolve, reject) => {
      const req = request(t.url, { method: t.method, headers: t.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${t.url}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(t.body);
    });
  const start = process.hrtime.bigint();
  await Promise.all(agents.map(async (agent) => {
    while (left-- > 0) await one(agent);
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const a of agents) a.destroy();
  return count / seconds;
}

const certs = new CertFactory();
const ca = certs.root('bench-ca');
const leaf = certs.issue('bench-client', ca, { cn: 'bench.example.com' });
const listener = selfSignedCert();
const tls = { ca: listener.cert, cert: leaf.cert, key: leaf.key };

console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; ${CONNECTIONS} connections, ${COUNT} requests per row × ${ROUNDS} rounds after a warm-up, coffer storage ${STORAGE}; EC P-256 keys everywhere`);
const coffer = await startChild('cert-server.js', ['coffer', listener.certFile, listener.keyFile, STORAGE]);
const bare = await startChild('cert-server.js', ['bare', listener.certFile, listener.keyFile]);
try {
  const { address, token } = coffer.info as { address: string; token: string };
  const admin = (path: string, body: unknown) => measure({ url: `${address}/v1/${path}`, method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body), keepAlive: false }, tls, 1);
  await admin('sys/auth/cert', { type: 'cert' });
  await admin('auth/cert/certs/bench', { certificate: ca.cert, token_policies: 'default', allowed_common_names: '*.example.com' });

  const login = (keepAlive: boolean): Target => ({ url: `${address}/v1/auth/cert/login`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', keepAlive });
  const rows: { label: string; subject: Target; floor: Target; floorLabel: string }[] = [
    { label: 'cert login, new TLS connection each ', subject: login(false), floorLabel: 'bare https handshake + 200', floor: { url: `${(bare.info as { address: string }).address}/`, method: 'GET', headers: {}, keepAlive: false } },
    { label: 'cert login, keep-alive connections   ', subject: login(true), floorLabel: 'token lookup-self, keep-alive', floor: { url: `${address}/v1/auth/token/lookup-self`, method: 'GET', headers: { 'x-vault-token': token }, keepAlive: true } },
  ];
  const ratios: number[][] = rows.map(() => []);
  for (let round = 0; round <= ROUNDS; round++) {
    const count = round === 0 ? Math.ceil(COUNT / 4) : COUNT;
    for (const [i, row] of rows.entries()) {
      // Alternate which side goes first, so drift in the machine's load hits both.
      const first = round % 2 === 0;
      const a = first ? await measure(row.subject, tls, count) : 0;
      const floor = await measure(row.floor, tls, count);
      const subject = first ? a : await measure(row.subject, tls, count);
      if (round > 0) ratios[i]!.push(subject / floor);
      console.log(`${round === 0 ? '(warm-up) ' : `round ${round}  `}${row.label} ${fmt(subject).padStart(6)}/s   ${row.floorLabel} ${fmt(floor).padStart(6)}/s   ratio ${(subject / floor).toFixed(2)}`);
    }
  }
  for (const [i, row] of rows.entries()) {
    const r = ratios[i]!.sort((x, y) => x - y);
    console.log(`median ratio ${row.label.trim()} / ${row.floorLabel}: ${r[Math.floor(r.length / 2)]!.toFixed(2)}`);
  }
} finally {
  await stopChild(coffer);
  await stopChild(bare);
}
