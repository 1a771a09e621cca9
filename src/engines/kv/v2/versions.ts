/**
 * Version bookkeeping for one secret, on its KeyMeta, without storage: numbering, the
 * window of kept versions, check-and-set, soft delete, undelete, destroy. The handlers
 * read the entry, call these, then write what changed.
 */
import { invalidRequest } from '../../../errors.js';
import type { KeyMeta, KvConfig, VersionMeta } from './storage.js';

/** Versions kept per secret when neither the secret nor the engine says otherwise. */
export const DEFAULT_MAX_VERSIONS = 10;

export function newKeyMeta(path: string, now: number): KeyMeta {
  return {
    path,
    created: now,
    updated: now,
    currentVersion: 0,
    oldestVersion: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    customMetadata: null,
    versions: {},
  };
}

/** The secret's own max_versions when set, else the engine's, else 10. */
export function maxVersionsFor(meta: KeyMeta, config: KvConfig): number {
  if (meta.maxVersions > 0) return meta.maxVersions;
  if (config.maxVersions > 0) return config.maxVersions;
  return DEFAULT_MAX_VERSIONS;
}

/** Seconds before a new version counts as deleted; 0 = never. The shorter one set wins. */
export function deleteAfterFor(meta: KeyMeta, config: KvConfig): number {
  const a = meta.deleteVersionAfter;
  const b = config.deleteVersionAfter;
  if (a > 0 && b > 0) return Math.min(a, b);
  return a > 0 ? a : b;
}

export function casRequiredFor(meta: KeyMeta | null, config: KvConfig): boolean {
  return config.casRequired || (meta?.casRequired ?? false);
}

/**
 * Check-and-set: `cas` must equal the current version (0 = the secret has no version yet).
 * Without `cas`, the write is allowed unless the engine or the secret requires one.
 */
export function checkCas(meta: KeyMeta | null, config: KvConfig, cas: number | undefined): void {
  if (cas === undefined) {
    if (casRequiredFor(meta, config)) throw invalidRequest('check-and-set parameter required for this call: set options.cas');
    return;
  }
  if (cas !== (meta?.currentVersion ?? 0)) throw invalidRequest('check-and-set parameter did not match the current version');
}

export type VersionState = 'live' | 'deleted' | 'destroyed';

export function stateOf(vm: VersionMeta, now: number): VersionState {
  if (vm.destroyed) return 'destroyed';
  if (vm.deleted !== null && vm.deleted <= now) return 'deleted';
  return 'live';
}

export function versionMeta(meta: KeyMeta, version: number): VersionMeta | undefined {
  return Object.hasOwn(meta.versions, version) ? meta.versions[version] : undefined;
}

/**
 * Adds the next version (created `now`, with its deletion time when delete_version_after
 * applies) and slides the window of kept versions. Returns the new number and the
 * versions that fell out of the window, whose data the caller deletes.
 */
export function addVersion(meta: KeyMeta, config: KvConfig, now: number): { version: number; pruned: number[] } {
  const version = meta.currentVersion + 1;
  const after = deleteAfterFor(meta, config);
  meta.versions[version] = { created: now, deleted: after > 0 ? now + after * 1000 : null, destroyed: false };
  meta.currentVersion = version;
  meta.updated = now;

  const max = maxVersionsFor(meta, config);
  const pruned: number[] = [];
  if (version - meta.oldestVersion >= max) {
    const last = version - max; // this version and every older one go
    for (const key of Object.keys(meta.versions)) {
      const n = Number(key);
      if (n <= last) {
        pruned.push(n);
        delete meta.versions[key];
      }
    }
    meta.oldestVersion = last + 1;
  }
  return { version, pruned: pruned.sort((a, b) => a - b) };
}

/** Marks live versions deleted as of `now`; unknown, destroyed or deleted ones are skipped. */
export function softDelete(meta: KeyMeta, versions: number[], now: number): boolean {
  let changed = false;
  for (const v of versions) {
    const vm = versionMeta(meta, v);
    if (!vm || stateOf(vm, now) !== 'live') continue;
    vm.deleted = now;
    changed = true;
  }
  return changed;
}

/** Clears the deletion of versions not destroyed (a scheduled one included). */
export function undelete(meta: KeyMeta, versions: number[]): boolean {
  let changed = false;
  for (const v of versions) {
    const vm = versionMeta(meta, v);
    if (!vm || vm.destroyed || vm.deleted === null) continue;
    vm.deleted = null;
    changed = true;
  }
  return changed;
}

/** Marks versions destroyed; returns the ones newly destroyed, whose data the caller deletes. */
export function destroy(meta: KeyMeta, versions: number[]): number[] {
  const out: number[] = [];
  for (const v of versions) {
    const vm = versionMeta(meta, v);
    if (!vm || vm.destroyed) continue;
    vm.destroyed = true;
    out.push(v);
  }
  return out;
}
