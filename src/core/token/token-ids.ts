/**
 * Token ids, accessors and their hashes. A raw token never leaves this module's callers in
 * a form that is stored or logged: storage and the in-memory index see only
 * HMAC-SHA256(salt, token).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniform base62 characters from the CSPRNG (bytes >= 248 are rejected: no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Service token prefix, as Vault 1.10+ and OpenBao issue them. */
export const SERVICE_TOKEN_PREFIX = 'hvs.';

/** `hvs.` + 24 base62 characters: about 143 bits of entropy. */
export const newServiceToken = (): string => SERVICE_TOKEN_PREFIX + randomBase62(24);
export const newAccessor = (): string => randomBase62(24);
export const newCubbyholeId = (): string => randomBase62(24);

/** Hex HMAC-SHA256 of a token under the store's salt: the only form that is persisted. */
export function hashToken(salt: Buffer, token: string): string {
  return createHmac('sha256', salt).update(token, 'utf8').digest('hex');
}

/**
 * Constant-time comparison of two raw tokens. Both are hashed first, so the compared
 * buffers always have the same length and the time taken says nothing about either value.
 */
export function tokensEqual(salt: Buffer, a: string, b: string): boolean {
  const ha = createHmac('sha256', salt).update(a, 'utf8').digest();
  const hb = createHmac('sha256', salt).update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

const HASHED_ID = /^[0-9a-f]{64}$/;
const ACCESSOR = /^[A-Za-z0-9._-]{1,128}$/;

export const isHashedId = (value: string): boolean => HASHED_ID.test(value);

/** Accessors are used as storage key segments: refuse anything that could not be one we issued. */
export const isPlausibleAccessor = (value: string): boolean =>
  ACCESSOR.test(value) && value !== '.' && value !== '..';
