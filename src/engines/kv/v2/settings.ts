/**
 * Fields shared by several kv-v2 paths: the settings an engine or a secret may carry
 * (max_versions, cas_required, delete_version_after), custom_metadata with Vault's
 * limits, and the `versions` list of delete, undelete and destroy.
 */
import { z } from 'zod';
import { f } from '../../../framework/fields.js';
import { fieldError, nonNegativeInt } from '../input.js';

export const settingFields = {
  max_versions: nonNegativeInt().describe('Versions kept per secret; older ones are destroyed. 0 = the engine default'),
  cas_required: f.bool().describe('Require options.cas on every write'),
  delete_version_after: f.duration().describe('Time after which a new version counts as deleted; 0s = never'),
};

export const CUSTOM_METADATA_LIMITS = { keys: 64, keyBytes: 128, valueBytes: 512 };

export const customMetadataField = z
  .unknown()
  .describe(`String-to-string map describing the secret (at most ${CUSTOM_METADATA_LIMITS.keys} keys)`);

const UNPRINTABLE = /\p{C}/u;

function checkText(kind: 'key' | 'value', text: string, key: string): void {
  const bytes = Buffer.byteLength(text);
  const max = kind === 'key' ? CUSTOM_METADATA_LIMITS.keyBytes : CUSTOM_METADATA_LIMITS.valueBytes;
  const what = kind === 'key' ? `key ${JSON.stringify(key)}` : `value of key ${JSON.stringify(key)}`;
  if (bytes === 0 || bytes > max) throw fieldError('custom_metadata', `${what} is ${bytes} bytes; it must be 1 to ${max}`);
  if (UNPRINTABLE.test(text)) throw fieldError('custom_metadata', `${what} contains unprintable characters`);
}

/**
 * A custom_metadata map from the request: string values (numbers and booleans are taken as
 * their text, as Vault does); with `allowNull` (PATCH) a null marks a key to remove.
 */
export function parseCustomMetadata(value: unknown, allowNull: boolean): Record<string, string | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fieldError('custom_metadata', 'expected an object mapping strings to strings');
  }
  const out: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  for (const [key, v] of Object.entries(value)) {
    if (v === null && allowNull) out[key] = null;
    else if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else throw fieldError('custom_metadata', `value of key ${JSON.stringify(key)} must be a string`);
  }
  checkCustomMetadata(out);
  return { ...out };
}

/** Vault's limits: at most 64 keys; keys 1–128 bytes, values 1–512 bytes, printable. */
export function checkCustomMetadata(map: Record<string, string | null>): void {
  const keys = Object.keys(map);
  if (keys.length > CUSTOM_METADATA_LIMITS.keys) {
    throw fieldError('custom_metadata', `${keys.length} keys; at most ${CUSTOM_METADATA_LIMITS.keys} are allowed`);
  }
  for (const key of keys) {
    checkText('key', key, key);
    const v = map[key];
    if (typeof v === 'string') checkText('value', v, key);
  }
}

const VERSIONS_MESSAGE = 'expected a non-empty list of version numbers (non-negative integers)';

/** `[1, 2]`, `["1", "2"]` or `"1,2"`; at least one; duplicates dropped. */
export const versionsField = z
  .preprocess(
    (v) => {
      const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v;
      if (!Array.isArray(list)) return v;
      return list.map((x) => (typeof x === 'string' && /^\d+$/.test(x.trim()) ? Number(x) : x));
    },
    z.array(z.number({ message: VERSIONS_MESSAGE }).int(VERSIONS_MESSAGE).nonnegative(VERSIONS_MESSAGE), { message: VERSIONS_MESSAGE }).min(1, VERSIONS_MESSAGE),
  )
  .transform((list) => [...new Set(list)])
  .describe('Version numbers, as a list or a comma-separated string');
