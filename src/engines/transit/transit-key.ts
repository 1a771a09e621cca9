/**
 * A named key: its settings and its versions. Values of this type are never changed in
 * place; every change (rotate, config, trim) makes a new one, so a request that already
 * holds a key keeps a consistent view while another request replaces it.
 */
import { KEY_TYPES, keyTypeOf, type KeyType, type KeyTypeName } from './key-types.js';
import { generateVersion, loadVersion, storeVersion, type KeyVersion, type StoredVersion } from './key-material.js';

export interface KeySettings {
  name: string;
  type: KeyTypeName;
  derived: boolean;
  convergentEncryption: boolean;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  deletionAllowed: boolean;
  /** seconds; 0 = never */
  autoRotatePeriod: number;
  /** hmac keys: key length in bytes */
  keySize: number;
  latestVersion: number;
  minDecryptionVersion: number;
  /** 0 = any */
  minEncryptionVersion: number;
  /** 0 = nothing trimmed; versions below it are gone */
  minAvailableVersion: number;
  backupInfo: { time: number; version: number } | null;
  restoreInfo: { time: number; version: number } | null;
}

export interface TransitKey {
  readonly settings: Readonly<KeySettings>;
  readonly type: KeyType;
  readonly versions: ReadonlyMap<number, KeyVersion>;
}

/** The entry stored at `policy/<name>`. */
export interface StoredKey {
  format: 1;
  name: string;
  type: KeyTypeName;
  derived: boolean;
  convergent_encryption: boolean;
  exportable: boolean;
  allow_plaintext_backup: boolean;
  deletion_allowed: boolean;
  auto_rotate_period: number;
  key_size: number;
  latest_version: number;
  min_decryption_version: number;
  min_encryption_version: number;
  min_available_version: number;
  backup_info: { time: number; version: number } | null;
  restore_info: { time: number; version: number } | null;
  versions: Record<string, StoredVersion>;
}

export interface NewKeyOptions {
  name: string;
  type: KeyTypeName;
  derived: boolean;
  convergentEncryption: boolean;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  autoRotatePeriod: number;
  keySize: number;
}

export async function createKey(opts: NewKeyOptions, now: number): Promise<TransitKey> {
  const type = KEY_TYPES[opts.type];
  const first = await generateVersion(type, 1, now, opts.keySize);
  const settings: KeySettings = {
    ...opts,
    deletionAllowed: false,
    latestVersion: 1,
    minDecryptionVersion: 1,
    minEncryptionVersion: 0,
    minAvailableVersion: 0,
    backupInfo: null,
    restoreInfo: null,
  };
  return { settings, type, versions: new Map([[1, first]]) };
}

export async function rotateKey(key: TransitKey, now: number): Promise<TransitKey> {
  const next = key.settings.latestVersion + 1;
  const version = await generateVersion(key.type, next, now, key.settings.keySize);
  const versions = new Map(key.versions);
  versions.set(next, version);
  return { settings: { ...key.settings, latestVersion: next }, type: key.type, versions };
}

export function withSettings(key: TransitKey, change: Partial<KeySettings>): TransitKey {
  return { settings: { ...key.settings, ...change }, type: key.type, versions: key.versions };
}

/** Drops versions below `minAvailable`; returns the new key and the versions dropped. */
export function trimKey(key: TransitKey, minAvailable: number): { key: TransitKey; dropped: KeyVersion[] } {
  const versions = new Map<number, KeyVersion>();
  const dropped: KeyVersion[] = [];
  for (const [n, v] of key.versions) {
    if (n < minAvailable) dropped.push(v);
    else versions.set(n, v);
  }
  return { key: { settings: { ...key.settings, minAvailableVersion: minAvailable }, type: key.type, versions }, dropped };
}

export function toStored(key: TransitKey): StoredKey {
  const s = key.settings;
  const versions: Record<string, StoredVersion> = {};
  for (const [n, v] of key.versions) versions[String(n)] = storeVersion(v);
  return {
    format: 1,
    name: s.name,
    type: s.type,
    derived: s.derived,
    convergent_encryption: s.convergentEncryption,
    exportable: s.exportable,
    allow_plaintext_backup: s.allowPlaintextBackup,
    deletion_allowed: s.deletionAllowed,
    auto_rotate_period: s.autoRotatePeriod,
    key_size: s.keySize,
    latest_version: s.latestVersion,
    min_decryption_version: s.minDecryptionVersion,
    min_encryption_version: s.minEncryptionVersion,
    min_available_version: s.minAvailableVersion,
    backup_info: s.backupInfo,
    restore_info: s.restoreInfo,
    versions,
  };
}

/**
 * Parses a stored key (or one from a backup). Throws Error naming what is wrong, never
 * quoting key material, when the entry does not describe a usable key.
 */
export function fromStored(stored: StoredKey): TransitKey {
  const type = keyTypeOf(stored.type);
  if (!type) throw new Error(`unknown key type "${String(stored.type)}"`);
  const versions = new Map<number, KeyVersion>();
  for (const [n, sv] of Object.entries(stored.versions)) {
    const version = Number(n);
    if (!Number.isSafeInteger(version) || version < 1 || String(version) !== n) throw new Error(`bad version number "${n}"`);
    try {
      versions.set(version, loadVersion(type, version, sv));
    } catch (err) {
      throw new Error(`version ${version}: ${err instanceof Error ? err.message : 'unreadable'}`);
    }
  }
  const settings: KeySettings = {
    name: stored.name,
    type: type.name,
    derived: stored.derived,
    convergentEncryption: stored.convergent_encryption,
    exportable: stored.exportable,
    allowPlaintextBackup: stored.allow_plaintext_backup,
    deletionAllowed: stored.deletion_allowed,
    autoRotatePeriod: stored.auto_rotate_period,
    keySize: stored.key_size,
    latestVersion: stored.latest_version,
    minDecryptionVersion: stored.min_decryption_version,
    minEncryptionVersion: stored.min_encryption_version,
    minAvailableVersion: stored.min_available_version,
    backupInfo: stored.backup_info,
    restoreInfo: stored.restore_info,
  };
  if (!versions.has(settings.latestVersion)) throw new Error(`latest version ${settings.latestVersion} is missing`);
  return { settings, type, versions };
}
