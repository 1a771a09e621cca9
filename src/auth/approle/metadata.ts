/**
 * A secret id's `metadata`: string keys and values copied onto every token it logs in. Vault
 * takes a JSON object encoded as a string (hvac sends `json.dumps(metadata)`) or `k=v,k2=v2`;
 * clients that send a JSON object directly are taken too. Bounded so a token's metadata
 * stays small.
 */
import { invalidRequest } from '../../errors.js';

const MAX_KEYS = 64;
const MAX_KEY_BYTES = 128;
const MAX_VALUE_BYTES = 512;

function fromText(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw invalidRequest('failed to parse metadata: expected a JSON object of strings');
  }
  const out: Record<string, unknown> = {};
  for (const pair of trimmed.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidRequest('failed to parse metadata: expected a JSON object or key=value pairs separated by commas');
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

export function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  let source: Record<string, unknown>;
  if (typeof raw === 'string') source = fromText(raw);
  else if (typeof raw === 'object' && !Array.isArray(raw)) source = raw as Record<string, unknown>;
  else throw invalidRequest('metadata must be a JSON object of strings, or a string holding one');
  const out: Record<string, string> = {};
  const keys = Object.keys(source);
  if (keys.length > MAX_KEYS) throw invalidRequest(`metadata may hold at most ${MAX_KEYS} keys`);
  for (const key of keys) {
    const value = source[key];
    if (key === '' || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw invalidRequest(`metadata keys must be 1 to ${MAX_KEY_BYTES} bytes`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalidRequest(`metadata value of "${key.slice(0, 64)}" must be a string`);
    }
    const text = String(value);
    if (Buffer.byteLength(text, 'utf8') > MAX_VALUE_BYTES) throw invalidRequest(`metadata value of "${key.slice(0, 64)}" is longer than ${MAX_VALUE_BYTES} bytes`);
    // defineProperty: a key named __proto__ is data here, not the object's prototype.
    Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
