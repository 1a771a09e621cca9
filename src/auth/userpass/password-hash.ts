/**
 * Password hashes: scrypt from node:crypto, salted per password, self-describing
 * (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, base64) so the cost can be raised later and old
 * hashes still verify (and are re-hashed at the next successful login).
 *
 * Cost: N = 2^15, r = 8, p = 1, i.e. 32 MiB of memory and ~90 ms of one core per hash on
 * the benchmark machine (about 20 logins/s on 2 cores, bench/RESULTS.md). The memory is what
 * makes GPU and ASIC guessing expensive; the time is the order of Vault's bcrypt cost 10, so
 * a login feels the same. OWASP's first choice
 * (2^17, 128 MiB) would let a burst of logins take half a gigabyte and cost 4× the CPU per
 * login; here the hashes also sit behind the barrier's encryption and online guessing behind
 * the user lockout, so the second line of defence need not be the most expensive one.
 *
 * Hashing runs on libuv's thread pool (4 threads), which also serves file I/O such as an
 * audit file's writes: at most two hashes run at once, so a flood of logins can neither
 * starve those nor hold more than 64 MiB; a bounded queue waits for them, and past it a
 * login is refused with 429 rather than queued without limit.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CofferError } from '../../errors.js';

const LOG2_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** scrypt needs 128·N·r·p bytes; node refuses anything above maxmem, so leave headroom. */
const MAX_MEM = 128 * 1024 * 1024;
/** The longest password taken: the hash costs the same for any length, the request body does not. */
export const MAX_PASSWORD_BYTES = 4096;

const MAX_RUNNING = 2;
const MAX_WAITING = 256;

let running = 0;
const waiting: Array<() => void> = [];

async function withHashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new CofferError('RateLimited', 'too many password logins in progress; retry shortly');
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await fn();
  } finally {
    // Hand the slot straight to the next waiter, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** log2N, r, p, maxmem: MAX_MEM };
  return withHashSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, LOG2_N, R, P);
  return `scrypt$${LOG2_N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface Parsed {
  log2N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parse(encoded: string): Parsed | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds keep a tampered or corrupt entry from asking for gigabytes.
  if (![log2N, r, p].every(Number.isInteger) || log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length !== KEY_BYTES) return undefined;
  return { log2N, r, p, salt, key };
}

/**
 * Stands in for a user who does not exist (or a hash that does not parse): the same scrypt
 * work at the current cost, against a key nothing can match, so a wrong username costs what
 * a wrong password costs.
 */
const DUMMY: Parsed = { log2N: LOG2_N, r: R, p: P, salt: randomBytes(SALT_BYTES), key: randomBytes(KEY_BYTES) };

export interface Verdict {
  ok: boolean;
  /** The hash was made at another cost: store a fresh one after this successful login. */
  needsRehash: boolean;
}

/** Compares in constant time; `encoded` undefined = no such user (the dummy is hashed instead). */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<Verdict> {
  const parsed = encoded === undefined ? undefined : parse(encoded);
  const target = parsed ?? DUMMY;
  const key = await derive(password, target.salt, target.log2N, target.r, target.p);
  const ok = timingSafeEqual(key, target.key) && parsed !== undefined;
  return { ok, needsRehash: ok && (target.log2N !== LOG2_N || target.r !== R || target.p !== P) };
}
