/**
 * Token ids, accessors and their hashes. A raw token never leaves this module's callers in
 * a form that is stored or logged: storage and the in-memory index see only
 * SHA-256(salt ‖ token), salted with a secret kept behind the barrier.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { randomByte } from '../../crypto/random-pool.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniform base62 characters from the CSPRNG (bytes >= 248 are rejected: no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

/** Service token prefix, as Vault 1.10+ and OpenBao issue them. */
export const SERVICE_TOKEN_PREFIX = 'hvs.';

/** `hvs.` + 24 base62 characters: about 143 bits of entropy. */
export const newServiceToken = (): string => SERVICE_TOKEN_PREFIX + randomBase62(24);
export const newAccessor = (): string => randomBase62(24);
export const newCubbyholeId = (): string => randomBase62(24);

/** Tokens up to this many UTF-8 bytes hash without allocating; longer ones still hash. */
const SCRATCH_TOKEN_BYTES = 512;

/**
 * Hashes tokens under the store's secret salt: SHA-256(salt ‖ token), the only form that is
 * persisted or kept in memory (Vault salts token ids the same way). Every request hashes
 * its token once, so this is on the hot path: the salt sits at the front of one scratch
 * buffer, the token is written after it, and both are zeroed when the store is wiped.
 * A keyed hash rather than a MAC is enough here: the salt never leaves the barrier, and
 * nothing is ever verified against an attacker-supplied digest.
 */
export class TokenHasher {
  private readonly scratch: Buffer;
  private readonly saltLength: number;

  constructor(salt: Buffer) {
    this.saltLength = salt.length;
    this.scratch = Buffer.alloc(salt.length + SCRATCH_TOKEN_BYTES);
    salt.copy(this.scratch);
  }

  /** Hex digest of a token. */
  hash(token: string): string {
    return this.digest(token, 'hex');
  }

  /**
   * Constant-time comparison of two raw tokens: both are hashed first, so the compared
   * buffers always have the same length and the time taken says nothing about either value.
   */
  equal(a: string, b: string): boolean {
    return timingSafeEqual(Buffer.from(this.digest(a, 'hex'), 'hex'), Buffer.from(this.digest(b, 'hex'), 'hex'));
  }

  wipe(): void {
    this.scratch.fill(0);
  }

  private digest(token: string, encoding: 'hex'): string {
    const s = this.saltLength;
    if (Buffer.byteLength(token, 'utf8') > SCRATCH_TOKEN_BYTES) {
      return hash('sha256', Buffer.concat([this.scratch.subarray(0, s), Buffer.from(token, 'utf8')]), encoding);
    }
    const n = this.scratch.write(token, s, 'utf8');
    const out = hash('sha256', this.scratch.subarray(0, s + n), encoding);
    this.scratch.fill(0, s, s + n);
    return out;
  }
}

const HASHED_ID = /^[0-9a-f]{64}$/;
const ACCESSOR = /^[A-Za-z0-9._-]{1,128}$/;

export const isHashedId = (value: string): boolean => HASHED_ID.test(value);

/** Accessors are used as storage key segments: refuse anything that could not be one we issued. */
export const isPlausibleAccessor = (value: string): boolean =>
  ACCESSOR.test(value) && value !== '.' && value !== '..';
