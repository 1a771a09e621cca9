/**
 * The directory's own rate, as the floor of LDAP logins: `node ldap-direct.js '<spec JSON>'`
 * runs `connections` workers for `seconds` (after a warm-up), each doing what a login asks of
 * the directory, straight through ldapts: connect, bind as the user, optionally the group
 * search, unbind. Prints one JSON line (DirectLdapResult).
 */
import { Client } from 'ldapts';

export interface DirectLdapSpec {
  url: string;
  bindDn: string;
  password: string;
  /** Also run the group search a login makes (base and filter), as Coffer does after the bind. */
  groupSearch?: { base: string; filter: string };
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export interface DirectLdapResult {
  ops: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}

const spec = JSON.parse(process.argv[2]!) as DirectLdapSpec;

async function once(): Promise<void> {
  const client = new Client({ url: spec.url, timeout: 10_000 });
  try {
    await client.bind(spec.bindDn, spec.password);
    if (spec.groupSearch) await client.search(spec.groupSearch.base, { scope: 'sub', filter: spec.groupSearch.filter, attributes: ['cn'] });
  } finally {
    await client.unbind();
  }
}

async function run(seconds: number): Promise<{ latencies: number[]; errors: number; firstError?: string; elapsed: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: spec.connections }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await once();
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  }));
  return { latencies, errors, firstError, elapsed: (performance.now() - start) / 1000 };
}

await run(spec.warmupSeconds);
const r = await run(spec.seconds);
const sorted = r.latencies.sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const result: DirectLdapResult = { ops: sorted.length, seconds: r.elapsed, rps: sorted.length / r.elapsed, p50: pct(0.5), p99: pct(0.99), errors: r.errors, firstError: r.firstError };
process.stdout.write(JSON.stringify(result) + '\n');
