/**
 * The on-disk entry format shared by the barrier (data entries, the keyring) and the seal
 * (the wrapped root key):
 *
 *   [1 version][4 term, big-endian][12 nonce][ciphertext][16 GCM tag]
 *
 * The caller passes the entry's storage path as additional authenticated data, so an entry
 * moved to another key, or edited in place, fails authentication instead of decrypting.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { fillRandom } from '../crypto/random-pool.js';

export const ENTRY_VERSION = 1;
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + 4 + NONCE_BYTES;
export const ENTRY_OVERHEAD = HEADER_BYTES + TAG_BYTES;

/** Why an entry could not be opened; callers turn this into a message naming the key. */
export type OpenFailure = 'malformed' | 'version' | 'unknown-term' | 'authentication';

export class EntryOpenError extends Error {
  constructor(
    readonly reason: OpenFailure,
    readonly term: number,
  ) {
    super(reason);
  }
}

export function sealEntry(key: Buffer, term: number, aad: string, plaintext: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + plaintext.length + TAG_BYTES);
  out[0] = ENTRY_VERSION;
  out.writeUInt32BE(term, 1);
  // A random 96-bit nonce per entry: keys rotate long before the birthday bound matters.
  const nonce = out.subarray(5, HEADER_BYTES);
  fillRandom(nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  let offset = HEADER_BYTES;
  offset += cipher.update(plaintext).copy(out, offset);
  offset += cipher.final().copy(out, offset);
  cipher.getAuthTag().copy(out, offset);
  return out;
}

/** The key term an entry claims, or an error for something too short to be an entry. */
export function entryTerm(entry: Buffer): number {
  if (entry.length < ENTRY_OVERHEAD) throw new EntryOpenError('malformed', -1);
  if (entry[0] !== ENTRY_VERSION) throw new EntryOpenError('version', -1);
  return entry.readUInt32BE(1);
}

/**
 * Decrypts an entry with `key`. Any tampering with the nonce, ciphertext, tag, or a different
 * `aad` ends in EntryOpenError('authentication'): nothing unauthenticated is ever returned.
 */
export function openEntry(key: Buffer, aad: string, entry: Buffer): Buffer {
  const term = entryTerm(entry);
  const nonce = entry.subarray(5, HEADER_BYTES);
  const body = entry.subarray(HEADER_BYTES, entry.length - TAG_BYTES);
  const tag = entry.subarray(entry.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  const first = decipher.update(body);
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    // The unauthenticated plaintext must not linger either.
    first.fill(0);
    throw new EntryOpenError('authentication', term);
  }
  if (last.length === 0) return first;
  const all = Buffer.concat([first, last]);
  first.fill(0);
  return all;
}
