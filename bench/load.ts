/**
 * The load generator, run as its own process so that it never shares an event loop with
 * the harness: `node load.js '<LoadSpec JSON>'`. Warms up, then measures, and prints one
 * JSON line (a LoadResult) on stdout.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  headers: Record<string, string>;
  body?: string | Buffer;
  /** A binary body (an OCSP request), base64: JSON cannot carry bytes. Sent as `body`. */
  bodyBase64?: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** When given, the server's CPU use over the measured run is reported (Linux /proc). */
  serverPid?: number;
  /**
   * A fixed number of requests instead of `seconds`, sent by this file's own keep-alive
   * loop (autocannon notices the end of an `amount` only on its one-second tick); the
   * result's seconds are the time they took, and there is no warm-up.
   */
  amount?: number;
  /** Append `-<n>` to the path, n counting up across all requests: every request writes a new key. */
  uniquePaths?: boolean;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** ms */
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** The server's CPU time over the measured run, ms in user and kernel mode (Linux only). */
  serverCpu?: { userMs: number; sysMs: number };
  /** The load generator's CPU use over the measured run, % of one core. */
  loadCpu: number;
  /** CPU used by the whole machine over the measured run, % of one core (Linux only). */
  machineCpu?: number;
}

/** Busy ms of the whole machine (all cores), from /proc/stat. */
function machineBusyMs(): number | undefined {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
  } catch {
    return undefined;
  }
}

/** utime and stime of a process in ms, from /proc (clock ticks of 10 ms). */
function procCpuMs(pid: number | undefined): { userMs: number; sysMs: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return { userMs: Number(fields[11]) * 10, sysMs: Number(fields[12]) * 10 }; // fields 14, 15 of proc(5)
  } catch {
    return undefined;
  }
}

/** Latency histogram in 10 µs buckets (autocannon's own rounds to whole milliseconds). */
const BUCKET_MS = 0.01;
const buckets = new Uint32Array(200_000); // up to 2 s; slower answers land in the last one

function percentile(p: number, total: number): number {
  const rank = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return (i + 1) * BUCKET_MS;
  }
  return NaN;
}

let seq = 0;

function run(spec: LoadSpec, seconds: number, record: boolean): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const base = new URL(spec.url).pathname;
    const requests = spec.uniquePaths
      ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: `${base}-${seq++}` }) }]
      : undefined;
    const instance = autocannon(
      { url: spec.url, method: spec.method, headers: spec.headers, body: spec.body, connections: spec.connections, duration: seconds, pipelining: 1, requests },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (record) {
      instance.on('response', (_client, statusCode, _bytes, ms) => {
        if (statusCode >= 200 && statusCode < 300) buckets[Math.min(Math.floor(ms / BUCKET_MS), buckets.length - 1)]!++;
      });
    }
  });
}

/** The parts of autocannon's result this file reads. */
type RunResult = Pick<autocannon.Result, 'duration' | 'non2xx' | 'errors' | 'timeouts' | '2xx' | 'statusCodeStats'> & { requests: { total: number } };

/** `amount` requests over `spec.connections` keep-alive connections, each sent when the connection's previous answer is in. */
async function runAmount(spec: LoadSpec, amount: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const codes: Record<string, { count: number }> = {};
  let started = 0;
  let ok = 0;
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(spec.url, { method: spec.method, headers: spec.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          (codes[code] ??= { count: 0 }).count++;
          if (code >= 200 && code < 300) {
            ok++;
            buckets[Math.min(Math.floor((performance.now() - t0) / BUCKET_MS), buckets.length - 1)]!++;
          }
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(spec.body);
    });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: spec.connections }, async () => {
    while (started++ < amount) await once();
  }));
  const duration = (performance.now() - t0) / 1000;
  agent.destroy();
  const total = Object.values(codes).reduce((n, c) => n + c.count, 0);
  return { duration, requests: { total }, '2xx': ok, non2xx: total - ok, errors, timeouts: 0, statusCodeStats: codes as autocannon.Result['statusCodeStats'] };
}

// `node load.js '<json>'`, or `node load.js @<file>` for specs too large for an argument.
const arg = process.argv[2] ?? '';
const spec = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as LoadSpec;
if (spec.bodyBase64) spec.body = Buffer.from(spec.bodyBase64, 'base64');
if (spec.warmupSeconds > 0 && !spec.amount) await run(spec, spec.warmupSeconds, false);
const machineBefore = machineBusyMs();
const serverBefore = procCpuMs(spec.serverPid);
const loadBefore = process.cpuUsage();
const r: RunResult = spec.amount ? await runAmount(spec, spec.amount) : await run(spec, spec.seconds, true);
const serverAfter = procCpuMs(spec.serverPid);
const loadUsed = process.cpuUsage(loadBefore);
const machineAfter = machineBusyMs();
const ok = r['2xx'];
const statusCodes: Record<string, number> = {};
for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = (s as { count: number }).count;
const result: LoadResult = {
  requests: r.requests.total,
  seconds: r.duration,
  rps: r.requests.total / r.duration,
  p50: percentile(0.5, ok),
  p99: percentile(0.99, ok),
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  statusCodes,
  serverCpu: serverBefore && serverAfter ? { userMs: serverAfter.userMs - serverBefore.userMs, sysMs: serverAfter.sysMs - serverBefore.sysMs } : undefined,
  loadCpu: (loadUsed.user + loadUsed.system) / (1e4 * r.duration),
  machineCpu: machineBefore !== undefined && machineAfter !== undefined ? (machineAfter - machineBefore) / (10 * r.duration) : undefined,
};
process.stdout.write(JSON.stringify(result) + '\n');
