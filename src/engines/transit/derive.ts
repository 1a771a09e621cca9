/**
 * Key derivation for `derived` keys: HKDF-SHA256 of the version's key with the request's
 * context as info and no salt, as Vault's hkdf_sha256 mode, so each context gets its own
 * key and the version's key itself is never used directly.
 */
import { hkdfSync } from 'node:crypto';
import { invalidRequest } from '../../errors.js';

const NO_SALT = Buffer.alloc(0);
/** node's (OpenSSL's) bound on HKDF's info; Vault's Go HKDF has none, so longer contexts are refused here rather than cut. */
export const MAX_CONTEXT_BYTES = 1024;

export function deriveKey(ikm: Buffer, context: Buffer, bytes: number): Buffer {
  if (context.length > MAX_CONTEXT_BYTES) {
    throw invalidRequest(`invalid value for "context": ${context.length} bytes decoded; a derived key takes a context of at most ${MAX_CONTEXT_BYTES} bytes`);
  }
  return Buffer.from(hkdfSync('sha256', ikm, NO_SALT, context, bytes));
}
