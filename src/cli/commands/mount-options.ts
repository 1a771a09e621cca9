/**
 * Flags shared by `secrets enable|tune|list` and `auth enable|tune|list`: lease TTLs,
 * description, options, audit and header settings, and the mount table as a table.
 */
import type { Flags } from '../command.js';
import type { Context } from '../context.js';
import { failure } from '../errors.js';
import type { FlagSpec } from '../flags.js';
import { parseKvFlag } from '../kv-args.js';
import { outputData } from '../output/format.js';
import { goValue, table } from '../output/table.js';

export const TUNE_FLAGS: FlagSpec = {
  description: { type: 'string', usage: 'Human-friendly description of the mount.' },
  'default-lease-ttl': { type: 'duration', usage: 'Default lease TTL for this mount, e.g. 1h. The default is the server default.' },
  'max-lease-ttl': { type: 'duration', usage: 'Maximum lease TTL for this mount, e.g. 768h. The default is the server maximum.' },
  'audit-non-hmac-request-keys': { type: 'string', repeatable: true, usage: 'Request key whose value audit devices leave unhashed. Repeatable.' },
  'audit-non-hmac-response-keys': { type: 'string', repeatable: true, usage: 'Response key whose value audit devices leave unhashed. Repeatable.' },
  'listing-visibility': { type: 'string', usage: 'Whether the mount is listed for unauthenticated UIs: "unauth" or "hidden".' },
  'passthrough-request-headers': { type: 'string', repeatable: true, usage: 'Request header passed through to the backend. Repeatable.' },
  'allowed-response-headers': { type: 'string', repeatable: true, usage: 'Response header the backend may set. Repeatable.' },
  options: { type: 'string', repeatable: true, usage: 'Mount option as key=value, passed to the backend. Repeatable.' },
};

export const ENABLE_FLAGS: FlagSpec = {
  ...TUNE_FLAGS,
  'force-no-cache': { type: 'bool', default: false, usage: 'Do not cache this mount\'s data.' },
  local: { type: 'bool', default: false, usage: 'Mark the mount local to this cluster (not replicated).' },
  'seal-wrap': { type: 'bool', default: false, usage: 'Seal-wrap the mount\'s critical values.' },
  'external-entropy-access': { type: 'bool', default: false, usage: 'Give the mount access to the external entropy source.' },
  'plugin-version': { type: 'string', usage: 'Version of the plugin to run.' },
};

const set = <T>(out: Record<string, unknown>, key: string, value: T | undefined) => {
  if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[key] = value;
};

/** The settings that live in a mount's `config` (enable) or at the top level (tune). */
export function tuneSettings(flags: Flags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  set(out, 'default_lease_ttl', flags.str('default-lease-ttl'));
  set(out, 'max_lease_ttl', flags.str('max-lease-ttl'));
  set(out, 'audit_non_hmac_request_keys', flags.list('audit-non-hmac-request-keys'));
  set(out, 'audit_non_hmac_response_keys', flags.list('audit-non-hmac-response-keys'));
  set(out, 'listing_visibility', flags.str('listing-visibility'));
  set(out, 'passthrough_request_headers', flags.list('passthrough-request-headers'));
  set(out, 'allowed_response_headers', flags.list('allowed-response-headers'));
  return out;
}

export function mountOptions(flags: Flags, version?: number): Record<string, string> | undefined {
  const options = parseKvFlag('options', flags.list('options'));
  if (version === undefined || version <= 0) return options;
  return { ...options, version: String(version) };
}

/** The body of `POST sys/mounts/<path>` or `sys/auth/<path>`. */
export function enableBody(type: string, flags: Flags, version?: number): Record<string, unknown> {
  const config = tuneSettings(flags);
  if (flags.bool('force-no-cache')) config.force_no_cache = true;
  const body: Record<string, unknown> = { type, config };
  set(body, 'description', flags.str('description'));
  set(body, 'options', mountOptions(flags, version));
  if (flags.bool('local')) body.local = true;
  if (flags.bool('seal-wrap')) body.seal_wrap = true;
  if (flags.bool('external-entropy-access')) body.external_entropy_access = true;
  set(body, 'plugin_version', flags.str('plugin-version'));
  return body;
}

/** The body of a tune request. */
export function tuneBody(flags: Flags, version?: number): Record<string, unknown> {
  const body = tuneSettings(flags);
  set(body, 'description', flags.str('description'));
  set(body, 'options', mountOptions(flags, version));
  return body;
}

type Mount = {
  type?: string;
  accessor?: string;
  description?: string;
  uuid?: string;
  local?: boolean;
  seal_wrap?: boolean;
  external_entropy_access?: boolean;
  options?: Record<string, string> | null;
  plugin_version?: string;
  running_plugin_version?: string;
  running_sha256?: string;
  deprecation_status?: string;
  config?: { default_lease_ttl?: number; max_lease_ttl?: number; force_no_cache?: boolean; token_type?: string };
};

/** The mounts of `sys/mounts` or `sys/auth` (the `data` map, or the legacy top level). */
function mountsOf(body: Record<string, unknown> | null): Record<string, Mount> {
  const data = body?.data;
  if (data && typeof data === 'object') return data as Record<string, Mount>;
  const out: Record<string, Mount> = {};
  for (const [k, v] of Object.entries(body ?? {})) if (k.endsWith('/') && v && typeof v === 'object') out[k] = v as Mount;
  return out;
}

function ttlCell(type: string | undefined, ttl: number | undefined, noTtlTypes: string[]): string {
  if (type && noTtlTypes.includes(type)) return '';
  return ttl ? String(ttl) : 'system';
}

function printMounts(ctx: Context, mounts: Record<string, Mount>, kind: 'secrets' | 'auth', detailed: boolean): number {
  if (ctx.format !== 'table') return outputData(ctx, mounts);
  const paths = Object.keys(mounts).sort();
  if (!detailed) {
    const header = kind === 'auth' ? ['Path', 'Type', 'Accessor', 'Description', 'Version'] : ['Path', 'Type', 'Accessor', 'Description'];
    const rows = paths.map((p) => {
      const m = mounts[p]!;
      const row = [p, m.type ?? '', m.accessor ?? '', m.description ?? ''];
      if (kind === 'auth') row.push(m.plugin_version ?? '');
      return row;
    });
    ctx.out(table(header, rows));
    return 0;
  }
  const noTtl = kind === 'auth' ? ['token'] : ['system', 'cubbyhole'];
  const header = ['Path', 'Plugin', 'Accessor', 'Default TTL', 'Max TTL'];
  header.push(...(kind === 'auth' ? ['Token Type'] : ['Force No Cache']));
  header.push('Replication', 'Seal Wrap', 'External Entropy Access', 'Options', 'Description', 'UUID', 'Version', 'Running Version', 'Running SHA256', 'Deprecation Status');
  const rows = paths.map((p) => {
    const m = mounts[p]!;
    return [
      p,
      m.type ?? '',
      m.accessor ?? '',
      ttlCell(m.type, m.config?.default_lease_ttl, noTtl),
      ttlCell(m.type, m.config?.max_lease_ttl, noTtl),
      kind === 'auth' ? (m.config?.token_type ?? '') : String(m.config?.force_no_cache === true),
      m.local ? 'local' : 'replicated',
      String(m.seal_wrap === true),
      String(m.external_entropy_access === true),
      goValue(m.options ?? {}),
      m.description ?? '',
      m.uuid ?? '',
      m.plugin_version ?? '',
      m.running_plugin_version ?? '',
      m.running_sha256 ?? '',
      m.deprecation_status ?? '',
    ];
  });
  ctx.out(table(header, rows));
  return 0;
}

const MOUNT_TABLES = {
  secrets: { path: 'sys/mounts', error: 'Error listing secrets engines' },
  auth: { path: 'sys/auth', error: 'Error listing enabled authentications' },
} as const;

/** `secrets list` and `auth list`: the mount table read from the server and printed. */
export async function listMounts(ctx: Context, kind: 'secrets' | 'auth', detailed: boolean): Promise<number> {
  let body;
  try {
    body = await ctx.api().read(MOUNT_TABLES[kind].path);
  } catch (err) {
    throw failure(MOUNT_TABLES[kind].error, err);
  }
  return printMounts(ctx, mountsOf(body), kind, detailed);
}
