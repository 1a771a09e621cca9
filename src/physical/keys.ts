/**
 * Key helpers shared by every physical backend: one ordering, one validation, so that
 * backends agree with each other and with SQLite's BINARY collation.
 */
import type { PhysicalOp } from './types.js';

/**
 * Orders keys by the byte order of their UTF-8 encoding (= code point order), which is
 * what SQLite's BINARY collation does. Plain JS `<` compares UTF-16 code units and puts
 * astral characters (surrogate pairs, e.g. emoji) before U+E000..U+FFFF; we undo that.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates (D800-DFFF) above E000-FFFF, keeping each group's own order.
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * The smallest string sorting after every string that starts with `prefix`, or null if
 * there is none (prefix '' or only U+10FFFF). Lets a range scan `key >= p AND key < ub`
 * stay on the primary-key index. Prefixes used by listing end in '/', the fast path.
 */
export function prefixUpperBound(prefix: string): string | null {
  if (prefix.endsWith('/')) return prefix.slice(0, -1) + '0';
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const cp = cps.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) {
      // U+D800..DFFF are not code points; a well-formed key never contains them alone.
      return cps.join('') + String.fromCodePoint(cp === 0xd7ff ? 0xe000 : cp + 1);
    }
  }
  return null;
}

// A lone surrogate cannot be encoded as UTF-8: SQLite would store U+FFFD instead and two
// different keys would collide, so no backend accepts one.
const LONE_SURROGATE = /\p{Cs}/u;

export function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError('physical: key must be a string');
  if (LONE_SURROGATE.test(key)) throw new TypeError('physical: key is not well-formed UTF-16');
  return key;
}

/** A private copy of `value`, so later changes by the caller cannot reach storage. */
export function checkValue(value: unknown): Buffer {
  if (!(value instanceof Uint8Array)) throw new TypeError('physical: value must be a Buffer');
  return Buffer.from(value);
}

/** Validates every op before any is applied (atomicity) and copies the values. */
export function checkOps(ops: unknown): PhysicalOp[] {
  if (!Array.isArray(ops)) throw new TypeError('physical: transaction needs an array of ops');
  return ops.map((op: unknown): PhysicalOp => {
    const o = op as Partial<PhysicalOp> | null;
    if (o?.kind === 'put') return { kind: 'put', key: checkKey(o.key), value: checkValue(o.value) };
    if (o?.kind === 'delete') return { kind: 'delete', key: checkKey(o.key) };
    throw new TypeError('physical: op kind must be put or delete');
  });
}
