/**
 * The mount tables (`sys/mounts` and `sys/auth`), persisted through the barrier. Plain data
 * and functions: the router turns entries into live routes.
 */
import { randomUUID } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import { getJson, putJson, type Storage } from '../logical/storage.js';
import type { UserLockoutConfig } from './lockout/lockout-settings.js';
import { randomBase62 } from './token/token-ids.js';

export type MountTableName = 'mounts' | 'auth';

export interface MountEntry {
  table: MountTableName;
  /** Relative to its table: `secret/`, or `userpass/` for `auth/userpass/`. Ends in '/'. */
  path: string;
  type: string;
  description: string;
  uuid: string;
  accessor: string;
  config: MountEntryConfig;
  options: Record<string, string>;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access: boolean;
  /** unix ms */
  created: number;
}

export interface MountEntryConfig {
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache: boolean;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: '' | 'hidden' | 'unauth';
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  /** Auth mounts whose method supports it (userpass): tuned user lockout settings. */
  user_lockout_config?: UserLockoutConfig;
}

const STORAGE_KEY: Record<MountTableName, string> = { mounts: 'core/mounts', auth: 'core/auth' };

export async function loadMountTable(storage: Storage, table: MountTableName): Promise<MountEntry[] | null> {
  return getJson<MountEntry[]>(storage, STORAGE_KEY[table]);
}

export async function saveMountTable(storage: Storage, table: MountTableName, entries: MountEntry[]): Promise<void> {
  await putJson(storage, STORAGE_KEY[table], entries.filter((e) => e.table === table));
}

/** `secret`, `/secret/`, `secret/` → `secret/`; rejects what could never route. */
export function normalizeMountPath(raw: string): string {
  let path = raw.trim();
  while (path.startsWith('/')) path = path.slice(1);
  if (!path.endsWith('/')) path += '/';
  if (path === '/') throw invalidRequest('mount path must not be empty');
  const segments = path.slice(0, -1).split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw invalidRequest(`invalid mount path "${raw}": empty, "." and ".." segments are not allowed`);
  }
  if (/[*+?#%\\\s]/.test(path) || /[\u0000-\u001f]/.test(path)) {
    throw invalidRequest(`invalid mount path "${raw}": it may not contain wildcards, '%', '#', '\\' or whitespace`);
  }
  if (path.length > 256) throw invalidRequest('mount path too long');
  return path;
}

export function newMountEntry(
  table: MountTableName,
  path: string,
  type: string,
  opts: Partial<Pick<MountEntry, 'description' | 'options' | 'local' | 'seal_wrap' | 'external_entropy_access'>> & {
    config?: Partial<MountEntryConfig>;
  } = {},
): MountEntry {
  const accessorPrefix = table === 'auth' ? `auth_${type}` : type;
  return {
    table,
    path,
    type,
    description: opts.description ?? '',
    uuid: randomUUID(),
    accessor: `${accessorPrefix}_${randomBase62(8).toLowerCase()}`,
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, ...opts.config },
    options: opts.options ?? {},
    local: opts.local ?? false,
    seal_wrap: opts.seal_wrap ?? false,
    external_entropy_access: opts.external_entropy_access ?? false,
    created: Date.now(),
  };
}

/** Vault's shape for one entry of `sys/mounts` / `sys/auth`. */
export function describeMount(entry: MountEntry) {
  return {
    accessor: entry.accessor,
    config: {
      default_lease_ttl: entry.config.default_lease_ttl,
      max_lease_ttl: entry.config.max_lease_ttl,
      force_no_cache: entry.config.force_no_cache,
      ...(entry.config.listing_visibility ? { listing_visibility: entry.config.listing_visibility } : {}),
      ...(entry.config.audit_non_hmac_request_keys ? { audit_non_hmac_request_keys: entry.config.audit_non_hmac_request_keys } : {}),
      ...(entry.config.audit_non_hmac_response_keys ? { audit_non_hmac_response_keys: entry.config.audit_non_hmac_response_keys } : {}),
      ...(entry.config.passthrough_request_headers ? { passthrough_request_headers: entry.config.passthrough_request_headers } : {}),
      ...(entry.config.allowed_response_headers ? { allowed_response_headers: entry.config.allowed_response_headers } : {}),
    },
    description: entry.description,
    external_entropy_access: entry.external_entropy_access,
    local: entry.local,
    options: Object.keys(entry.options).length ? entry.options : null,
    plugin_version: '',
    running_plugin_version: '',
    running_sha256: '',
    seal_wrap: entry.seal_wrap,
    type: entry.type,
    uuid: entry.uuid,
    deprecation_status: entry.type === 'system' || entry.type === 'cubbyhole' || entry.type === 'identity' || entry.type === 'token' ? undefined : 'supported',
  };
}
