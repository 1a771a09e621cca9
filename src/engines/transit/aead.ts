/**
 * The symmetric ciphers: AES-GCM and ChaCha20-Poly1305, 96-bit nonces, 128-bit tags.
 * The sealed form is Vault's: nonce || ciphertext || tag, so ciphertexts look alike.
 */
import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import { fillRandom } from '../../crypto/random-pool.js';

export type AeadCipher = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** nonce || ciphertext || tag. `nonce` null: a random one (the only choice unless convergent). */
export function aeadSeal(cipher: AeadCipher, key: Buffer, plaintext: Buffer, aad: Buffer | null, nonce: Buffer | null): Buffer {
  const out = Buffer.allocUnsafe(NONCE_BYTES + plaintext.length + TAG_BYTES);
  const n = out.subarray(0, NONCE_BYTES);
  if (nonce) nonce.copy(n);
  else fillRandom(n);
  // One overload covers both AEAD modes' options (node treats ChaCha20-Poly1305 like GCM here).
  const c = createCipheriv(cipher as CipherGCMTypes, key, n, { authTagLength: TAG_BYTES });
  if (aad) c.setAAD(aad);
  let offset = NONCE_BYTES + c.update(plaintext).copy(out, NONCE_BYTES);
  offset += c.final().copy(out, offset);
  c.getAuthTag().copy(out, offset);
  return out;
}

/** The plaintext, or null when the blob is too short or fails authentication. */
export function aeadOpen(cipher: AeadCipher, key: Buffer, blob: Buffer, aad: Buffer | null): Buffer | null {
  if (blob.length < NONCE_BYTES + TAG_BYTES) return null;
  const body = blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES);
  const d = createDecipheriv(cipher as CipherGCMTypes, key, blob.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  d.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  if (aad) d.setAAD(aad);
  const first = d.update(body);
  try {
    const last = d.final();
    return last.length === 0 ? first : Buffer.concat([first, last]);
  } catch {
    // Unauthenticated plaintext never leaves this function.
    first.fill(0);
    return null;
  }
}
