/**
 * The database's own ceiling for the database creds row (bench/database.ts), as its own
 * process: `node pg-direct.js @<spec file>`. N `pg` clients each send, back to back, what a
 * creds request makes PostgreSQL do — CREATE ROLE with a password and VALID UNTIL, then the
 * GRANT — as one simple query (one round trip, one implicit transaction), for a warm-up and
 * then a measured time. Prints one JSON line (a DirectResult) on stdout.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface DirectSpec {
  host: string;
  port: number;
  user: string;
  password: string;
  /** With {{name}}, {{password}} and {{expiration}}, as in a role's creation_statements. */
  statements: string;
  /** Every role made starts with it, so the harness can drop them all afterwards. */
  prefix: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** A fixed number of roles instead of `seconds` (warm-up: `warmupAmount`), as in LoadSpec. */
  amount?: number;
  warmupAmount?: number;
}

export interface DirectResult {
  created: number;
  seconds: number;
  rps: number;
  /** ms */
  p50: number;
  p99: number;
  errors: number;
  /** Creations run again after a catalog conflict (see the loop). */
  conflicts: number;
  firstError?: string;
}

const arg = process.argv[2] ?? '';
const spec = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as DirectSpec;

// Names and passwords shaped like the engine's: a 20-character random part, then the time.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random20 = () => Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
let seq = 0;
function statement(): string {
  const name = `${spec.prefix}${random20()}-${Math.floor(Date.now() / 1000)}-${seq++}`;
  const expiration = new Date(Date.now() + 3600_000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+0000');
  return spec.statements.replaceAll('{{name}}', name).replaceAll('{{password}}', random20()).replaceAll('{{expiration}}', expiration);
}

const clients = await Promise.all(
  Array.from({ length: spec.connections }, async () => {
    const c = new pg.Client({ host: spec.host, port: spec.port, user: spec.user, password: spec.password, database: 'postgres' });
    await c.connect();
    return c;
  }),
);

const latencies: number[] = [];
let errors = 0;
let conflicts = 0;
let firstError: string | undefined;
async function run(seconds: number, record: boolean, amount?: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let started = 0;
  const more = () => (amount === undefined ? performance.now() < until : started++ < amount);
  await Promise.all(
    clients.map(async (c) => {
      while (more()) {
        const t0 = performance.now();
        const sql = statement();
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(sql);
            done++;
            if (record) latencies.push(performance.now() - t0);
            break;
          } catch (err) {
            // Concurrent GRANTs on one table collide in the catalog; the engine retries these too.
            if (/^tuple concurrently (updated|deleted)$/.test((err as Error).message) && attempt < 20) {
              if (record) conflicts++;
              await sleep(Math.random() * Math.min(2 * attempt, 20));
              continue;
            }
            errors++;
            firstError ??= (err as Error).message;
            break;
          }
        }
      }
    }),
  );
  return done;
}

if (spec.warmupAmount) await run(0, false, spec.warmupAmount);
else if (spec.warmupSeconds > 0) await run(spec.warmupSeconds, false);
const t0 = performance.now();
const created = await run(spec.seconds, true, spec.amount);
const seconds = (performance.now() - t0) / 1000;
await Promise.all(clients.map((c) => c.end()));
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * p) - 1)] ?? NaN;
const result: DirectResult = { created, seconds, rps: created / seconds, p50: pct(0.5), p99: pct(0.99), errors, conflicts, firstError };
process.stdout.write(JSON.stringify(result) + '\n');
