/**
 * Userpass logins per second with login MFA (login, then sys/mfa/validate with a TOTP code
 * computed here from the otpauth URL) beside plain userpass logins, same server, same run,
 * rounds alternating. Run: node dist/bench/mfa-login.js [inmem|sqlite] [rounds]
 *
 * A userpass login is bound by its scrypt hash (~90 ms of a core, two at a time), so both
 * sides are slow and the ratio shows what MFA adds: one more round trip and a TOTP check.
 * Each code is good once, so the MFA side rotates over many users and a method with a
 * 1-second period (the arithmetic is the same for any period); a user is never used twice
 * within one period.
 */
import { cpus, loadavg } from 'node:os';
import { TOTP, URI } from 'otpauth';
import { startChild, stopChild } from './child.js';

const STORAGE = process.argv[2] ?? 'inmem';
const ROUNDS = Number(process.argv[3] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const WORKERS = Number(process.env['BENCH_CONNECTIONS'] ?? 8);
const USERS = 64;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startChild('coffer-server.js', [STORAGE]);
const { address, token: root } = server.info as { address: string; token: string };

async function call(method: string, path: string, body?: unknown, token = root): Promise<Record<string, any>> {
  const res = await fetch(`${address}/v1/${path}`, { method, headers: { ...(token ? { 'x-vault-token': token } : {}), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, any>) : {};
}

interface User {
  name: string;
  totp: TOTP;
  lastStep: number;
}

/** Runs `one` from WORKERS loops for SECONDS; answers completed logins per second. */
async function round(one: (worker: number) => Promise<void>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (performance.now() < end) {
        await one(w);
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

try {
  console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; storage ${STORAGE}; ${WORKERS} concurrent logins, ${SECONDS} s per round, ${USERS} users`);
  await call('POST', 'sys/auth/plain', { type: 'userpass' });
  await call('POST', 'sys/auth/mfa', { type: 'userpass' });
  const auths = (await call('GET', 'sys/auth')).data as Record<string, { accessor: string }>;
  const methodId = (await call('POST', 'identity/mfa/method/totp', { issuer: 'Bench', period: 1, skew: 1, max_validation_attempts: 1000 })).data.method_id as string;
  const users: User[] = [];
  await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const name = `u${i}`;
      await call('POST', `auth/plain/users/${name}`, { password: 'pw' });
      await call('POST', `auth/mfa/users/${name}`, { password: 'pw' });
      const entityId = (await call('POST', `auth/mfa/login/${name}`, { password: 'pw' }, '')).auth.entity_id as string;
      const url = (await call('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: entityId, method_id: methodId })).data.url as string;
      users.push({ name, totp: URI.parse(url) as TOTP, lastStep: -1 });
    }),
  );
  await call('POST', 'identity/mfa/login-enforcement/bench', { mfa_method_ids: [methodId], auth_method_accessors: [auths['mfa/']!.accessor] });

  let next = 0;
  // The second phase alone (TOTP check + token creation), apart from the scrypt-bound login.
  const validateMs: number[] = [];
  const idle = [...users];
  const plain = async () => {
    const u = users[next++ % USERS]!;
    const auth = (await call('POST', `auth/plain/login/${u.name}`, { password: 'pw' }, '')).auth;
    if (!auth.client_token) throw new Error('plain login gave no token');
  };
  const mfa = async () => {
    const u = idle.shift()!;
    try {
      const first = (await call('POST', `auth/mfa/login/${u.name}`, { password: 'pw' }, '')).auth;
      const id = first.mfa_requirement?.mfa_request_id as string;
      if (!id) throw new Error('no mfa_requirement');
      // One code per user per period: wait for the next period if this user's is spent.
      let step = Math.floor(Date.now() / 1000);
      while (step <= u.lastStep) {
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
        step = Math.floor(Date.now() / 1000);
      }
      u.lastStep = step;
      const t0 = performance.now();
      const done = (await call('POST', 'sys/mfa/validate', { mfa_request_id: id, mfa_payload: { [methodId]: [u.totp.generate({ timestamp: step * 1000 })] } }, '')).auth;
      validateMs.push(performance.now() - t0);
      if (!done.client_token) throw new Error('validate gave no token');
    } finally {
      idle.push(u);
    }
  };

  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const p = await round(plain);
    const m = await round(mfa);
    a.push(p);
    b.push(m);
    console.log(`round ${i + 1}: plain login ${fmt(p, 1)}/s, login + MFA validate ${fmt(m, 1)}/s, ${fmt(m / p, 2)}×`);
  }
  console.log(`median: plain ${fmt(median(a), 1)} logins/s, with MFA ${fmt(median(b), 1)} logins/s; median of the rounds' ratios ${fmt(median(b.map((m, i) => m / a[i]!)), 2)}×; ` +
      `sys/mfa/validate alone: median ${fmt(median(validateMs), 2)} ms over ${fmt(validateMs.length)} calls`);
} finally {
  await stopChild(server);
}
