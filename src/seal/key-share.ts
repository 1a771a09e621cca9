/**
 * Unseal key shares as operators hand them in: parsing from text, and collecting the distinct
 * shares of one attempt (unseal, rekey or generate-root) until the threshold is reached.
 */
import { timingSafeEqual } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import { KEY_BYTES } from '../barrier/aead.js';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A share from its hex form (Vault's `keys`) or base64 form (`keys_base64`). Hex is tried
 * first, as Vault does: a valid hex string of even length is always read as hex. Messages
 * never include the input, which is key material.
 */
export function parseKeyShare(text: string): Buffer {
  if (typeof text !== 'string') throw invalidRequest('key must be a string (hex or base64)');
  const s = text.trim();
  if (s.length === 0) throw invalidRequest('key is empty');
  if (HEX.test(s)) return Buffer.from(s, 'hex');
  if (BASE64.test(s) && s.length % 4 !== 1) {
    const key = Buffer.from(s, 'base64');
    // Node's decoder skips characters it does not understand; a canonical re-encoding proves
    // every character was used and the padding was right.
    if (key.toString('base64').replace(/=+$/, '') === s.replace(/=+$/, '') && (s.length % 4 === 0 || !s.includes('='))) {
      return key;
    }
    key.fill(0);
  }
  throw invalidRequest('key is not valid hex or base64');
}

/** The byte length of one share: a single share is the unseal key itself, otherwise key + x-coordinate. */
export function shareLength(secretShares: number): number {
  return secretShares === 1 ? KEY_BYTES : KEY_BYTES + 1;
}

/**
 * The shares of one attempt, copied out of the caller's buffers and zeroed on reset, so no
 * share outlives its attempt.
 */
export class ShareCollector {
  private shares: Buffer[] = [];

  get progress(): number {
    return this.shares.length;
  }

  /** Validates and keeps a copy of `share`. Throws without changing progress on a bad or repeated share. */
  add(share: Buffer, secretShares: number): void {
    if (!Buffer.isBuffer(share)) throw invalidRequest('key must be given');
    const expected = shareLength(secretShares);
    if (share.length !== expected) {
      throw invalidRequest(`invalid key share: expected ${expected} bytes, got ${share.length}`);
    }
    // The last byte of a split share is its x-coordinate; 0 would be the secret itself.
    if (secretShares > 1 && share[expected - 1] === 0) throw invalidRequest('invalid key share');
    for (const held of this.shares) {
      if (timingSafeEqual(held, share)) {
        throw invalidRequest('this key share was already provided in the current attempt; progress is unchanged');
      }
    }
    const copy = Buffer.alloc(share.length);
    share.copy(copy);
    this.shares.push(copy);
  }

  /** Hands the shares over and empties the collector; the caller zeroes them. */
  take(): Buffer[] {
    const out = this.shares;
    this.shares = [];
    return out;
  }

  reset(): void {
    zeroAll(this.shares);
    this.shares = [];
  }
}

export function zeroAll(buffers: Iterable<Uint8Array>): void {
  for (const b of buffers) b.fill(0);
}
