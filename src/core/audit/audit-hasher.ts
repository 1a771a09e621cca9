/**
 * What an audit device writes in place of a sensitive value: `hmac-sha256:<hex>`, keyed by
 * the device's own salt, so an operator who knows a value can find it in the log (through
 * sys/audit-hash) while the log alone reveals nothing.
 */
import { createHmac, hash as digest } from 'node:crypto';

export const HMAC_PREFIX = 'hmac-sha256:';

export type HashFn = (value: string) => string;

export interface AuditHasher {
  hash: HashFn;
  /**
   * The hash of `value`, remembered under `key`. The key must not be the secret itself: a
   * token is remembered under its stored hash, so no raw token is kept in memory for it.
   */
  remembered(key: string, value: string): string;
  /** Forgets every remembered hash and zeroes the salt: after it, the hasher is unusable. */
  wipe(): void;
}

/** Tokens and accessors repeat on every request; HMAC'ing them again each time showed in profiles. */
const MEMO_LIMIT = 10_000;

export function createAuditHasher(salt: Buffer): AuditHasher {
  const key = Buffer.from(salt);
  const memo = new Map<string, string>();
  const hmac = hmacSha256Hex(key);
  const hash: HashFn = (value) => HMAC_PREFIX + hmac(value);
  return {
    hash,
    remembered(memoKey, value) {
      let out = memo.get(memoKey);
      if (out === undefined) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        out = hash(value);
        memo.set(memoKey, out);
      }
      return out;
    },
    wipe() {
      memo.clear();
      key.fill(0);
      hmac.wipe();
    },
  };
}

const BLOCK = 64;
const SCRATCH_BYTES = 16 * 1024;

/**
 * HMAC-SHA256 (RFC 2104) as two one-shot hashes over buffers prepared once: a fifth faster
 * than createHmac, which sets the key up again for every value; audit hashes several values
 * per request. Values too long for the scratch buffer go through createHmac.
 */
function hmacSha256Hex(key: Buffer): ((value: string) => string) & { wipe(): void } {
  if (key.length > BLOCK) throw new Error('audit salt longer than a SHA-256 block');
  const inner = Buffer.alloc(BLOCK + SCRATCH_BYTES, 0x36);
  const outer = Buffer.alloc(BLOCK + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i]! ^= key[i]!;
    outer[i]! ^= key[i]!;
  }
  const fn = (value: string): string => {
    // Three bytes per UTF-16 unit is the most UTF-8 can take: a value this short always fits.
    if (value.length * 3 > SCRATCH_BYTES) return createHmac('sha256', key).update(value, 'utf8').digest('hex');
    const n = inner.write(value, BLOCK, 'utf8');
    digest('sha256', inner.subarray(0, BLOCK + n), 'buffer').copy(outer, BLOCK);
    inner.fill(0, BLOCK, BLOCK + n); // no value lingers in the long-lived buffer
    return digest('sha256', outer, 'hex');
  };
  return Object.assign(fn, {
    wipe() {
      inner.fill(0);
      outer.fill(0);
    },
  });
}

const MAX_DEPTH = 128;

/**
 * `value` as JSON text, with every string (object values and array items, at any depth)
 * and every byte buffer (as base64, the way the API prints bytes) replaced by
 * `hash(string)`. Numbers, booleans and null stay as they are. Values under a key named in
 * `clear` are written without hashing (a mount's audit_non_hmac_*_keys). With `hash` the
 * identity, this is the raw form (log_raw), bytes still as base64. Written straight to
 * text: building a hashed copy first and serializing it cost a third more.
 */
export function hashedJson(value: unknown, hash: HashFn, clear?: ReadonlySet<string>): string {
  return emit(value, hash, clear, 0) ?? 'null';
}

function emit(value: unknown, hash: HashFn, clear: ReadonlySet<string> | undefined, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      // A hash is hex behind a fixed prefix: nothing in it needs escaping.
      return hash === identity ? JSON.stringify(value) : `"${hash(value)}"`;
    case 'number':
      // JSON prints NaN and Infinity as null.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(hash(value.toString()));
    case 'object':
      break;
    default:
      return undefined; // functions, symbols, undefined: JSON leaves them out
  }
  if (value === null) return 'null';
  if (depth > MAX_DEPTH) throw new Error('audit: value nested too deeply to record');
  if (value instanceof Uint8Array) return JSON.stringify(hash(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')));
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + (emit(value[i], hash, clear, depth + 1) ?? 'null');
    return text + ']';
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return emit(toJSON.call(value), hash, clear, depth + 1);
  let text = '{';
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const written = clear?.has(key) ? emit(item, identity, undefined, depth + 1) : emit(item, hash, clear, depth + 1);
    if (written !== undefined) text += (text.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + written;
  }
  return text + '}';
}

export const identity: HashFn = (s) => s;

/** Strings shorter than this are not looked for in error text: they would match everywhere and hide little. */
const MIN_REDACTED_LENGTH = 4;
const MAX_REDACTED_STRINGS = 1000;

/**
 * `message` with every occurrence of a string the client sent (request data at any depth,
 * the client token) replaced by its hash: an error that echoes its input must not carry
 * a secret into the log. Our own messages are written never to hold one; this is the
 * second line of defence.
 */
export function redactMessage(message: string, sent: unknown, clientToken: string | undefined, hash: HashFn): string {
  if (message === '') return message;
  const strings: string[] = [];
  if (clientToken) strings.push(clientToken);
  collectStrings(sent, strings, 0);
  strings.sort((a, b) => b.length - a.length);
  let out = message;
  for (const s of strings) {
    if (s.length >= MIN_REDACTED_LENGTH && out.includes(s)) out = replaceWhole(out, s, hash(s));
  }
  return out;
}

const isWordChar = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/**
 * Replaces the occurrences of `s` that are not part of a longer word: the value "file"
 * is hidden in `got "file"` but leaves `file_path` readable. A value that starts or ends
 * with punctuation has no word edge to respect there.
 */
function replaceWhole(text: string, s: string, replacement: string): string {
  const checkStart = isWordChar(s.charCodeAt(0));
  const checkEnd = isWordChar(s.charCodeAt(s.length - 1));
  let out = '';
  let from = 0;
  for (let at = text.indexOf(s); at !== -1; at = text.indexOf(s, at + 1)) {
    if (at < from) continue;
    const before = at > 0 ? text.charCodeAt(at - 1) : 0;
    const after = at + s.length < text.length ? text.charCodeAt(at + s.length) : 0;
    const wordBefore = checkStart && (isWordChar(before) || before === 95);
    const wordAfter = checkEnd && (isWordChar(after) || after === 95);
    if (wordBefore || wordAfter) continue;
    out += text.slice(from, at) + replacement;
    from = at + s.length;
  }
  return out + text.slice(from);
}

function collectStrings(value: unknown, out: string[], depth: number): void {
  if (out.length >= MAX_REDACTED_STRINGS || depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, out, depth + 1);
  } else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const key of Object.keys(value)) collectStrings((value as Record<string, unknown>)[key], out, depth + 1);
  }
}
