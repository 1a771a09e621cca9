/**
 * backup/:name and restore[/:name]: a key with every version, as one base64 string that
 * restores the key on this or another Coffer. The backup is key material in the clear, so
 * it needs both exportable and allow_plaintext_backup, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest, vaultCompat500 } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { decodeBase64 } from '../base64.js';
import { nameField } from '../fields.js';
import type { KeyStore } from '../key-store.js';
import { wipeVersion } from '../key-material.js';
import { KEY_TYPE_NAMES } from '../key-types.js';
import { fromStored, toStored, withSettings, type StoredKey, type TransitKey } from '../transit-key.js';
import type { Ctx } from './common.js';
import { newKeyOptions } from './keys.js';

const BACKUP_FORMAT = 'coffer-transit-backup-v1';

const version = z.number().int().nonnegative();
const info = z.object({ time: z.number(), version }).nullable();
/** What a backup must hold; anything else is refused before a key is built from it. */
const storedKeySchema = z.object({
  format: z.literal(1),
  name: z.string(),
  type: z.enum(KEY_TYPE_NAMES as [string, ...string[]]),
  derived: z.boolean(),
  convergent_encryption: z.boolean(),
  exportable: z.boolean(),
  allow_plaintext_backup: z.boolean(),
  deletion_allowed: z.boolean(),
  auto_rotate_period: version,
  key_size: version,
  latest_version: version.min(1),
  min_decryption_version: version.min(1),
  min_encryption_version: version,
  min_available_version: version,
  backup_info: info,
  restore_info: info,
  versions: z.record(z.string(), z.object({ created: z.number().int(), key: z.string(), hmac_key: z.string() })),
});
const backupSchema = z.object({ format: z.literal(BACKUP_FORMAT), key: storedKeySchema });

function parseBackup(text: string): StoredKey {
  const bytes = decodeBase64(text);
  if (!bytes) throw invalidRequest('invalid value for "backup": not valid base64');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidRequest('invalid value for "backup": not a transit key backup (not JSON)');
  }
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) throw invalidRequest('invalid value for "backup": not a Coffer transit key backup, or a damaged one');
  return parsed.data.key as StoredKey;
}

/**
 * A backup is input like any other: its settings must be ones this server could have made
 * (the same rules as creating and configuring a key), and it must hold every version from
 * the first available one to the latest.
 */
function checkRestored(key: TransitKey): void {
  const s = key.settings;
  const bad = (why: string) => invalidRequest(`invalid value for "backup": ${why}`);
  try {
    newKeyOptions(s.name, key.type, {
      derived: s.derived,
      convergent: s.convergentEncryption,
      autoRotatePeriod: s.autoRotatePeriod,
      keySize: key.type.family === 'hmac' ? s.keySize : undefined,
    });
  } catch (err) {
    throw bad(err instanceof Error ? err.message : 'impossible settings');
  }
  const first = Math.max(1, s.minAvailableVersion);
  if (s.minDecryptionVersion < first || s.minDecryptionVersion > s.latestVersion) throw bad('min_decryption_version is out of range');
  if (s.minEncryptionVersion > s.latestVersion || (s.minEncryptionVersion > 0 && s.minEncryptionVersion < s.minDecryptionVersion)) {
    throw bad('min_encryption_version is out of range');
  }
  for (let n = first; n <= s.latestVersion; n++) if (!key.versions.has(n)) throw bad(`version ${n} is missing`);
  if (key.versions.size !== s.latestVersion - first + 1) throw bad('it holds versions outside the available range');
}

export function backupPaths(store: KeyStore): PathDefinition[] {
  async function backup(ctx: Ctx<{ name: string }>): Promise<Response> {
    const { name } = ctx.fields;
    return store.update(ctx.storage, name, (current) => {
      if (!current) throw invalidRequest(`key "${name}" not found`);
      if (!current.settings.exportable) throw invalidRequest('backup is not allowed: the key is not exportable');
      // Vault's code and words, which hvac expects: a 500 there, though nothing failed.
      if (!current.settings.allowPlaintextBackup) throw vaultCompat500('plaintext backup is disallowed on the policy');
      const next = withSettings(current, { backupInfo: { time: ctx.clock(), version: current.settings.latestVersion } });
      const text = Buffer.from(JSON.stringify({ format: BACKUP_FORMAT, key: toStored(next) }), 'utf8').toString('base64');
      return { next, result: { data: { backup: text } } };
    });
  }

  async function restore(ctx: Ctx<{ name?: string; backup?: string; force?: boolean }>): Promise<null> {
    if (!ctx.fields.backup) throw invalidRequest('"backup" must be supplied');
    const stored = parseBackup(ctx.fields.backup);
    const name = ctx.fields.name ?? stored.name;
    const named = nameField.safeParse(name);
    if (!named.success) throw invalidRequest(`invalid key name "${name}" in the backup: key names cannot be paths`);
    let key: TransitKey;
    try {
      key = fromStored({ ...stored, name });
    } catch (err) {
      throw invalidRequest(`invalid value for "backup": ${err instanceof Error ? err.message : 'unreadable key'}`);
    }
    const parsed = key;
    try {
      checkRestored(key);
      key = withSettings(key, { restoreInfo: { time: ctx.clock(), version: key.settings.latestVersion } });
      return await store.update(ctx.storage, name, (current) => {
        // Vault's code and words, which hvac expects: a 500 there, though nothing failed.
        if (current && !ctx.fields.force) throw vaultCompat500(`key "${name}" already exists`);
        return { next: key, result: null, wipe: current ? [...current.versions.values()] : [] };
      });
    } catch (err) {
      // Refused: the key material parsed from the backup must not linger until GC.
      for (const v of parsed.versions.values()) wipeVersion(v);
      throw err;
    }
  }

  const restoreFields = {
    backup: z.string().optional().describe('The backup string backup/:name returned'),
    force: f.bool().optional().describe('Replace an existing key of the same name'),
  };
  const restoreHelp = { synopsis: 'Restore a key from a backup, under its own name or the one in the path.' };
  return [
    definePath({
      pattern: 'backup/:name',
      fields: { name: nameField },
      operations: { read: backup },
      help: { synopsis: 'Back up a key with every version (needs exportable and allow_plaintext_backup).' },
    }),
    definePath({ pattern: 'restore', fields: restoreFields, operations: { update: restore }, help: restoreHelp }),
    definePath({ pattern: 'restore/:name', fields: { name: nameField, ...restoreFields }, operations: { update: restore }, help: restoreHelp }),
  ];
}
