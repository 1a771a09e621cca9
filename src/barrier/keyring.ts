/**
 * The keyring: every data-key term ever installed, and which one new writes use.
 *
 * Serialized as a small binary record rather than JSON so that key bytes never pass through
 * a JS string (strings are immutable and cannot be zeroed on seal):
 *
 *   [1 format][4 active term][4 count] then per term: [4 term][8 install ms][32 key]
 */
import { randomFillSync } from 'node:crypto';
import { KEY_BYTES } from './aead.js';

const FORMAT = 1;
const RECORD_BYTES = 4 + 8 + KEY_BYTES;

export interface KeyTerm {
  readonly term: number;
  readonly installTime: Date;
  /** Owned by the keyring; zeroed by `destroy`. */
  readonly key: Buffer;
}

/** A fresh 32-byte key in its own (unpooled) allocation, so zeroing it wipes the only copy. */
export function newKey(): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  randomFillSync(key);
  return key;
}

export class Keyring {
  private readonly terms = new Map<number, KeyTerm>();
  private active = 0;

  static withFirstTerm(now = new Date()): Keyring {
    const ring = new Keyring();
    ring.add({ term: 1, installTime: now, key: newKey() });
    return ring;
  }

  get activeTerm(): KeyTerm {
    const t = this.terms.get(this.active);
    if (t === undefined) throw new Error('barrier: keyring has no active term');
    return t;
  }

  term(term: number): KeyTerm | undefined {
    return this.terms.get(term);
  }

  get size(): number {
    return this.terms.size;
  }

  /** Installs `t` and makes it active. */
  private add(t: KeyTerm): void {
    if (t.key.length !== KEY_BYTES) throw new Error('barrier: keyring key has the wrong length');
    this.terms.set(t.term, t);
    if (t.term > this.active) this.active = t.term;
  }

  /**
   * A new keyring sharing this one's key buffers plus one new term. The caller persists it
   * first and swaps it in afterwards, so a failed write leaves the live keyring untouched.
   */
  withNewTerm(now = new Date()): Keyring {
    const next = new Keyring();
    for (const t of this.terms.values()) next.add(t);
    if (this.active >= 0xffffffff) throw new Error('barrier: key term space exhausted');
    next.add({ term: this.active + 1, installTime: now, key: newKey() });
    next.active = this.active + 1;
    return next;
  }

  /** The binary form; the caller zeroes it once it has been encrypted. */
  serialize(): Buffer {
    const out = Buffer.alloc(9 + this.terms.size * RECORD_BYTES);
    out[0] = FORMAT;
    out.writeUInt32BE(this.active, 1);
    out.writeUInt32BE(this.terms.size, 5);
    let offset = 9;
    for (const t of this.terms.values()) {
      out.writeUInt32BE(t.term, offset);
      out.writeDoubleBE(t.installTime.getTime(), offset + 4);
      t.key.copy(out, offset + 12);
      offset += RECORD_BYTES;
    }
    return out;
  }

  /** Copies key bytes out of `raw`; the caller zeroes `raw` afterwards. */
  static deserialize(raw: Buffer): Keyring {
    if (raw.length < 9 || raw[0] !== FORMAT) throw new Error('barrier: keyring has an unknown format');
    const active = raw.readUInt32BE(1);
    const count = raw.readUInt32BE(5);
    if (raw.length !== 9 + count * RECORD_BYTES) throw new Error('barrier: keyring is truncated');
    const ring = new Keyring();
    for (let i = 0, offset = 9; i < count; i++, offset += RECORD_BYTES) {
      const key = Buffer.alloc(KEY_BYTES);
      raw.copy(key, 0, offset + 12, offset + 12 + KEY_BYTES);
      ring.add({ term: raw.readUInt32BE(offset), installTime: new Date(raw.readDoubleBE(offset + 4)), key });
    }
    ring.active = active;
    if (!ring.terms.has(active)) {
      ring.destroy();
      throw new Error('barrier: keyring active term is missing');
    }
    return ring;
  }

  /** Zeroes every key buffer and forgets them. */
  destroy(): void {
    for (const t of this.terms.values()) t.key.fill(0);
    this.terms.clear();
    this.active = 0;
  }
}
