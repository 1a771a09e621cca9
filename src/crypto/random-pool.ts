/**
 * CSPRNG output drawn 4 KiB at a time, for the many small random values made per request
 * (barrier and transit nonces, token ids and accessors): one randomFillSync call per few
 * hundred values instead of one per value. The per-call cost had shown as 5 % of a kv write
 * and 15 % of an AppRole login. Each byte is handed out once and zeroed as it is taken.
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let at = POOL.length;

/** Fills `into` with random bytes no other caller gets. */
export function fillRandom(into: Buffer): void {
  const n = into.length;
  if (n > POOL.length) {
    randomFillSync(into);
    return;
  }
  if (at + n > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  POOL.copy(into, 0, at, at + n);
  POOL.fill(0, at, at + n);
  at += n;
}

/** One random byte. */
export function randomByte(): number {
  if (at === POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  const byte = POOL[at]!;
  POOL[at++] = 0;
  return byte;
}
