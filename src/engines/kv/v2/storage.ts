/**
 * kv version 2 storage layout, below the mount's view:
 *
 *   config                     engine settings (KvConfig)
 *   meta/<secret path>         one KeyMetadata per secret; mirrors the secret paths, so a
 *                              LIST of a folder is one storage list of `meta/<folder>`
 *   data/<sha256(path)>/<n>    the data of version n (VersionEntry); hashed so version
 *                              numbers never mix with the path's own segments
 *
 * Times are stored as epoch milliseconds and formatted on the way out.
 */
import { createHash } from 'node:crypto';
import { applyOps, getJson, jsonOp, putJson, readShared, type Frozen, type Storage, type StorageOp } from '../../../logical/storage.js';

export interface VersionMeta {
  /** ms */
  created: number;
  /** ms; null = not deleted. May lie in the future (delete_version_after). */
  deleted: number | null;
  destroyed: boolean;
}

export interface KeyMeta {
  path: string;
  /** ms */
  created: number;
  /** ms: when the latest version was written */
  updated: number;
  currentVersion: number;
  /** 0 until old versions are first pruned; then the lowest version kept. */
  oldestVersion: number;
  /** 0 = the engine's setting */
  maxVersions: number;
  casRequired: boolean;
  /** seconds; 0 = the engine's setting */
  deleteVersionAfter: number;
  customMetadata: Record<string, string> | null;
  /** By version number. */
  versions: Record<string, VersionMeta>;
}

export interface VersionEntry {
  data: Record<string, unknown>;
}

export interface KvConfig {
  /** 0 = the default (10) */
  maxVersions: number;
  casRequired: boolean;
  /** seconds; 0 = never */
  deleteVersionAfter: number;
}

export const DEFAULT_CONFIG: KvConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

const CONFIG_KEY = 'config';
export const META_PREFIX = 'meta/';

const metaKey = (path: string) => META_PREFIX + path;
// The path's hash is needed by every read and write of the path; remembered for the hot
// paths (paths are not secret: they are stored in the clear under meta/).
const hashes = new Map<string, string>();
const HASHES_MAX = 10_000;
function pathHash(path: string): string {
  let h = hashes.get(path);
  if (h === undefined) {
    h = createHash('sha256').update(path).digest('hex');
    if (hashes.size >= HASHES_MAX) hashes.clear();
    hashes.set(path, h);
  }
  return h;
}
const dataKey = (path: string, version: number) => `data/${pathHash(path)}/${version}`;

export async function readConfig(storage: Storage): Promise<KvConfig> {
  return { ...DEFAULT_CONFIG, ...(await getJson<Partial<KvConfig>>(storage, CONFIG_KEY)) };
}

export function writeConfig(storage: Storage, config: KvConfig): Promise<void> {
  return putJson(storage, CONFIG_KEY, config);
}

export function readMeta(storage: Storage, path: string): Promise<KeyMeta | null> {
  return getJson<KeyMeta>(storage, metaKey(path));
}

export function writeMeta(storage: Storage, meta: KeyMeta): Promise<void> {
  return putJson(storage, metaKey(meta.path), meta);
}

export function deleteMeta(storage: Storage, path: string): Promise<void> {
  return storage.delete(metaKey(path));
}

/** For reads that only look: the shared, frozen metadata (see readShared). */
export function readMetaShared(storage: Storage, path: string): Promise<Frozen<KeyMeta> | null> {
  return readShared<KeyMeta>(storage, metaKey(path));
}

/** For reads that only look: the shared, frozen version entry. */
export function readVersionShared(storage: Storage, path: string, version: number): Promise<Frozen<VersionEntry> | null> {
  return readShared<VersionEntry>(storage, dataKey(path, version));
}

export async function readVersion(storage: Storage, path: string, version: number): Promise<VersionEntry | null> {
  return getJson<VersionEntry>(storage, dataKey(path, version));
}

export function writeVersion(storage: Storage, path: string, version: number, entry: VersionEntry): Promise<void> {
  return putJson(storage, dataKey(path, version), entry);
}

/**
 * A new version: its data, the metadata naming it and the deletion of pruned versions, in
 * that order and in one atomic commit where the storage supports it.
 */
export function storeVersionEntries(storage: Storage, path: string, meta: KeyMeta, version: number, entry: VersionEntry, pruned: Iterable<number>): Promise<void> {
  const ops: StorageOp[] = [jsonOp(dataKey(path, version), entry), jsonOp(metaKey(meta.path), meta)];
  for (const v of pruned) ops.push({ kind: 'delete', key: dataKey(path, v) });
  return applyOps(storage, ops);
}

export async function deleteVersions(storage: Storage, path: string, versions: Iterable<number>): Promise<void> {
  for (const v of versions) await storage.delete(dataKey(path, v));
}
