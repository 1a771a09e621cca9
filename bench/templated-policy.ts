/**
 * kv-v2 read throughput under a templated policy (`secret/data/users/{{identity.entity.name}}/*`)
 * beside the same read under the literal policy it resolves to (`secret/data/users/alice/*`),
 * same server, same run. Both tokens come from userpass logins mapped to entities, so the
 * only difference is the template. Rounds alternate (literal, templated, …) so that load from
 * elsewhere on the machine falls on both alike (and so does which goes first). Run:
 *   node dist/bench/templated-policy.js [inmem|sqlite] [rounds]
 * Target: templated ≥ 0.9× literal (the ACL is compiled once per policy set and entity
 * version, so a request does one extra map lookup).
 */
import { cpus, loadavg } from 'node:os';
import { runLoad, startChild, stopChild } from './child.js';
import type { LoadResult } from './load.js';

const STORAGE = process.argv[2] ?? 'inmem';
const ROUNDS = Number(process.argv[3] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 1);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const server = await startChild('coffer-server.js', [STORAGE]);
const { address, token: root } = server.info as { address: string; token: string };

async function call(method: string, path: string, body?: unknown, token = root): Promise<Record<string, unknown>> {
  const res = await fetch(`${address}/v1/${path}`, { method, headers: { 'x-vault-token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** A userpass login mapped to an entity named `entity`, with `policy` as its token policy. */
async function loginToken(user: string, entity: string, policy: string, accessor: string): Promise<string> {
  const e = (await call('POST', 'identity/entity', { name: entity })).data as { id: string };
  await call('POST', 'identity/entity-alias', { name: user, mount_accessor: accessor, canonical_id: e.id });
  await call('POST', `auth/userpass/users/${user}`, { password: 'pw', token_policies: policy });
  const auth = (await call('POST', `auth/userpass/login/${user}`, { password: 'pw' }, '')).auth as { client_token: string };
  return auth.client_token;
}

try {
  console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; storage ${STORAGE}; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s per round`);
  await call('POST', 'sys/auth/userpass', { type: 'userpass' });
  const accessor = ((await call('GET', 'sys/auth')).data as Record<string, { accessor: string }>)['userpass/']!.accessor;
  await call('PUT', 'sys/policies/acl/literal', { policy: 'path "secret/data/users/alice/*" { capabilities = ["read"] }' });
  await call('PUT', 'sys/policies/acl/templated', { policy: 'path "secret/data/users/{{identity.entity.name}}/*" { capabilities = ["read"] }' });
  await call('POST', 'secret/data/users/alice/app', { data: { username: 'svc-app', password: 'correct-horse-battery-staple' } });
  const literal = await loginToken('lit', 'alice-literal', 'literal', accessor);
  const templated = await loginToken('tpl', 'alice', 'templated', accessor);

  const read = (token: string) =>
    runLoad({
      url: `${address}/v1/secret/data/users/alice/app`,
      method: 'GET',
      headers: { 'x-vault-token': token },
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupSeconds: WARMUP,
      serverPid: server.child.pid,
    });
  const lit: number[] = [];
  const tpl: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Which side goes first alternates too: the first run of a round tends to pay for the machine's other work.
    let a: LoadResult;
    let b: LoadResult;
    if (i % 2 === 0) {
      a = await read(literal);
      b = await read(templated);
    } else {
      b = await read(templated);
      a = await read(literal);
    }
    if (a.non2xx || b.non2xx) throw new Error(`non-2xx answers: literal ${a.non2xx}, templated ${b.non2xx}`);
    lit.push(a.rps);
    tpl.push(b.rps);
    console.log(`round ${i + 1}: literal ${fmt(a.rps)} reads/s (p99 ${fmt(a.p99, 1)} ms), templated ${fmt(b.rps)} reads/s (p99 ${fmt(b.p99, 1)} ms), ${fmt(b.rps / a.rps, 2)}×`);
  }
  const ratio = median(tpl.map((t, i) => t / lit[i]!));
  console.log(`median: literal ${fmt(median(lit))} reads/s, templated ${fmt(median(tpl))} reads/s; median of the rounds' ratios ${fmt(ratio, 2)}× (target ≥ 0.9×)`);
} finally {
  await stopChild(server);
}
