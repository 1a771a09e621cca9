/**
 * Key derivation for `derived` keys: HKDF-SHA256 of the version's key with the request's
 * context as info and no salt, as Vault's hkdf_sha256 mode, so each context gets its own
 * key and the version's key itself is never used directly.
 */
import { hkdfSync } from 'node:crypto';

const NO_SALT = Buffer.alloc(0);

export function deriveKey(ikm: Buffer, context: Buffer, bytes: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, NO_SALT, context, bytes));
}
