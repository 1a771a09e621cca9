/** keys/:name/config, keys/:name/rotate and keys/:name/trim: a key's life after creation. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { nameField } from '../fields.js';
import type { KeyStore } from '../key-store.js';
import { keyView } from '../key-view.js';
import { rotateKey, trimKey, withSettings, type KeySettings, type TransitKey } from '../transit-key.js';
import type { Ctx } from './common.js';
import { autoRotateField, checkAutoRotate } from './keys.js';

const configFields = {
  name: nameField,
  min_decryption_version: f.int().optional().describe('Oldest version that may decrypt or verify'),
  min_encryption_version: f.int().optional().describe('Oldest version that may encrypt, sign or hmac; 0 = any'),
  deletion_allowed: f.bool().optional().describe('Whether the key may be deleted'),
  exportable: f.bool().optional().describe('Allow export (cannot be undone)'),
  allow_plaintext_backup: f.bool().optional().describe('Allow plaintext backup (cannot be undone)'),
  auto_rotate_period: autoRotateField.optional(),
};
type ConfigFields = z.infer<z.ZodObject<typeof configFields>>;

const trimFields = {
  name: nameField,
  min_available_version: f.int().optional().describe('Versions below this one are deleted for good'),
};

/** The settings a config request asks for, checked as Vault checks them. */
function configure(key: TransitKey, req: ConfigFields): { change: Partial<KeySettings>; warnings: string[] } {
  const s = key.settings;
  const change: Partial<KeySettings> = {};
  const warnings: string[] = [];
  let minDecryption = s.minDecryptionVersion;
  let minEncryption = s.minEncryptionVersion;
  if (req.min_decryption_version !== undefined) {
    minDecryption = req.min_decryption_version;
    if (minDecryption < 0) throw invalidRequest('min_decryption_version cannot be negative');
    if (minDecryption === 0) {
      minDecryption = 1;
      warnings.push('key versions start at 1; min_decryption_version set to 1');
    }
    if (minDecryption > s.latestVersion) {
      throw invalidRequest(`cannot set min_decryption_version to ${minDecryption}: the latest key version is ${s.latestVersion}`);
    }
  }
  if (req.min_encryption_version !== undefined) {
    minEncryption = req.min_encryption_version;
    if (minEncryption < 0) throw invalidRequest('min_encryption_version cannot be negative');
    if (minEncryption > s.latestVersion) {
      throw invalidRequest(`cannot set min_encryption_version to ${minEncryption}: the latest key version is ${s.latestVersion}`);
    }
  }
  if (minEncryption > 0 && minEncryption < minDecryption) {
    throw invalidRequest(
      `min_encryption_version (${minEncryption}) must be 0 or at least min_decryption_version (${minDecryption}): ` +
        'new ciphertext must stay decryptable',
    );
  }
  // After a trim, "any version" (min_encryption_version 0) would name trimmed ones too.
  if (s.minAvailableVersion > 0 && (minDecryption < s.minAvailableVersion || minEncryption < s.minAvailableVersion)) {
    throw invalidRequest(`versions below ${s.minAvailableVersion} were trimmed: min versions cannot go below it`);
  }
  change.minDecryptionVersion = minDecryption;
  change.minEncryptionVersion = minEncryption;
  if (req.deletion_allowed !== undefined) change.deletionAllowed = req.deletion_allowed;
  // Once granted, export and plaintext backup stay granted: the material may already be out.
  if (req.exportable === true) change.exportable = true;
  else if (req.exportable === false && s.exportable) warnings.push('exportable cannot be turned off once set; left on');
  if (req.allow_plaintext_backup === true) change.allowPlaintextBackup = true;
  else if (req.allow_plaintext_backup === false && s.allowPlaintextBackup) warnings.push('allow_plaintext_backup cannot be turned off once set; left on');
  if (req.auto_rotate_period !== undefined) {
    checkAutoRotate(req.auto_rotate_period);
    change.autoRotatePeriod = req.auto_rotate_period;
  }
  return { change, warnings };
}

/** Vault's trim rules: only upward, and never past what may still decrypt or encrypt. */
function checkTrim(key: TransitKey, min: number | undefined): number {
  const s = key.settings;
  if (min === undefined) throw invalidRequest('missing min_available_version');
  if (min <= 0) throw invalidRequest('invalid value for "min_available_version": must be a positive version number');
  if (min < s.minAvailableVersion) throw invalidRequest(`min_available_version cannot go down (it is ${s.minAvailableVersion})`);
  if (s.minEncryptionVersion === 0) throw invalidRequest('set min_encryption_version (keys/:name/config) before trimming');
  if (min > s.minEncryptionVersion) throw invalidRequest(`min_available_version (${min}) cannot be above min_encryption_version (${s.minEncryptionVersion})`);
  if (min > s.minDecryptionVersion) throw invalidRequest(`min_available_version (${min}) cannot be above min_decryption_version (${s.minDecryptionVersion})`);
  return min;
}

export function keyAdminPaths(store: KeyStore): PathDefinition[] {
  const missing = (name: string) => invalidRequest(`no existing key named "${name}" could be found`);

  async function config(ctx: Ctx<ConfigFields>): Promise<Response> {
    const { name } = ctx.fields;
    return store.update(ctx.storage, name, (current) => {
      if (!current) throw missing(name);
      const { change, warnings } = configure(current, ctx.fields);
      const next = withSettings(current, change);
      return { next, result: { data: keyView(next), warnings: warnings.length ? warnings : undefined } };
    });
  }

  async function rotate(ctx: Ctx<{ name: string }>): Promise<Response> {
    const { name } = ctx.fields;
    return store.update(ctx.storage, name, async (current) => {
      if (!current) throw missing(name);
      const next = await rotateKey(current, ctx.clock());
      return { next, result: { data: keyView(next) } };
    });
  }

  async function trim(ctx: Ctx<{ name: string; min_available_version?: number }>): Promise<Response> {
    const { name } = ctx.fields;
    return store.update(ctx.storage, name, (current) => {
      if (!current) throw missing(name);
      const min = checkTrim(current, ctx.fields.min_available_version);
      const { key, dropped } = trimKey(current, min);
      return { next: key, result: { data: keyView(key) }, wipe: dropped };
    });
  }

  return [
    definePath({
      pattern: 'keys/:name/config',
      fields: configFields,
      operations: { update: config },
      help: {
        synopsis: 'Change the settings of a key.',
        description:
          'min_decryption_version and min_encryption_version limit which versions may be used; deletion_allowed permits delete; ' +
          'exportable and allow_plaintext_backup cannot be turned off once on; auto_rotate_period schedules rotation (0 or at least 1h).',
      },
    }),
    definePath({
      pattern: 'keys/:name/rotate',
      fields: { name: nameField },
      operations: { update: rotate },
      help: { synopsis: 'Add a new version of the key; new encryption uses it, old versions still decrypt.' },
    }),
    definePath({
      pattern: 'keys/:name/trim',
      fields: trimFields,
      operations: { update: trim },
      help: {
        synopsis: 'Delete the versions below min_available_version for good.',
        description: 'min_available_version may not exceed min_encryption_version or min_decryption_version, and never goes down.',
      },
    }),
  ];
}
