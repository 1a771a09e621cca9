/** How kv-v2 answers look: Vault's field names, RFC 3339 UTC times, Go duration strings. */
import type { KeyMeta, VersionMeta } from './storage.js';
import { goDuration, rfc3339Nano } from '../../../logical/time-format.js';

export { goDuration };

/** RFC 3339 in UTC with nine fractional digits, as Vault prints times: `2018-03-22T02:24:06.945000000Z`. */
export const rfc3339 = rfc3339Nano;

/** The per-version block of data reads, writes and subkeys. */
export function versionView(meta: KeyMeta, version: number, vm: VersionMeta): Record<string, unknown> {
  return {
    created_time: rfc3339(vm.created),
    custom_metadata: meta.customMetadata,
    deletion_time: vm.deleted === null ? '' : rfc3339(vm.deleted),
    destroyed: vm.destroyed,
    version,
  };
}

/** The answer of a metadata read. */
export function metadataView(meta: KeyMeta): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [n, vm] of Object.entries(meta.versions)) {
    versions[n] = {
      created_time: rfc3339(vm.created),
      deletion_time: vm.deleted === null ? '' : rfc3339(vm.deleted),
      destroyed: vm.destroyed,
    };
  }
  return {
    cas_required: meta.casRequired,
    created_time: rfc3339(meta.created),
    current_version: meta.currentVersion,
    custom_metadata: meta.customMetadata,
    delete_version_after: goDuration(meta.deleteVersionAfter),
    max_versions: meta.maxVersions,
    oldest_version: meta.oldestVersion,
    updated_time: rfc3339(meta.updated),
    versions,
  };
}
