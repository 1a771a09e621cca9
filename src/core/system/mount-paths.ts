/**
 * sys/mounts, sys/auth, their tune paths, sys/remount and sys/internal/ui/mounts. Vault
 * answers the list reads with each mount both under `data` and at the top level.
 */
import { z } from 'zod';
import { invalidRequest, permissionDenied } from '../../errors.js';
import { definePath, type HandlerContext } from '../../framework/backend.js';
import { f } from '../../framework/fields.js';
import type { Response } from '../../logical/request.js';
import type { Core } from '../core.js';
import { describeLockout } from '../lockout/lockout-settings.js';
import { describeMount, normalizeMountPath, type MountEntryConfig, type MountTableName } from '../mount-table.js';
import { routedPathOf } from '../mount-manager.js';

const configField = z
  .object({
    default_lease_ttl: f.duration().optional(),
    max_lease_ttl: f.duration().optional(),
    force_no_cache: f.bool().optional(),
    audit_non_hmac_request_keys: f.commaList().optional(),
    audit_non_hmac_response_keys: f.commaList().optional(),
    listing_visibility: z.enum(['', 'hidden', 'unauth']).optional(),
    passthrough_request_headers: f.commaList().optional(),
    allowed_response_headers: f.commaList().optional(),
  })
  .optional();

/** Vault clients send `{"version": 2}` as often as `{"version": "2"}`. */
const optionsField = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .transform((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])))
  .optional();

const enableFields = {
  path: z.string(),
  type: z.string().optional(),
  description: z.string().optional(),
  config: configField,
  options: optionsField,
  local: f.bool().optional(),
  seal_wrap: f.bool().optional(),
  external_entropy_access: f.bool().optional(),
  plugin_name: z.string().optional(),
  plugin_version: z.string().optional(),
};

const tuneFields = {
  path: z.string(),
  default_lease_ttl: f.duration().optional(),
  max_lease_ttl: f.duration().optional(),
  description: z.string().optional(),
  options: optionsField,
  audit_non_hmac_request_keys: f.commaList().optional(),
  audit_non_hmac_response_keys: f.commaList().optional(),
  listing_visibility: z.enum(['', 'hidden', 'unauth']).optional(),
  passthrough_request_headers: f.commaList().optional(),
  allowed_response_headers: f.commaList().optional(),
  force_no_cache: f.bool().optional(),
  /** Auth mounts: Vault's user lockout settings (strings or numbers; checked by core). */
  user_lockout_config: z.unknown().optional(),
};

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `kv-v2` is Vault's shorthand for `kv` with `options.version = 2`. Only kv has versions:
 * as in Vault, any other secrets engine type given one is refused, `generic` (kv version 1
 * under its old name) included, so a `generic` mount can never become version 2 at enable.
 */
function expandType(table: MountTableName, type: string, options: Record<string, string> | undefined) {
  if (table === 'auth') return { type, options };
  if (type === 'kv-v2') return { type: 'kv', options: { ...options, version: '2' } };
  if (type === 'kv-v1') return { type: 'kv', options: { ...options, version: '1' } };
  if (type !== 'kv' && options?.version) throw invalidRequest(`secrets engine "${type}" does not allow setting a version`);
  return { type, options };
}

function tablePaths(core: Core, table: MountTableName, prefix: 'mounts' | 'auth') {
  const list = (): Response => {
    const data: Record<string, unknown> = {};
    for (const entry of core.mounts.list(table)) data[entry.path] = describeMount(entry);
    return { data, legacyTopLevel: true };
  };
  const tuneRead = ({ fields }: HandlerContext<{ path: string }>): Response => {
    const entry = core.mounts.require(table, fields.path);
    const { defaultLeaseTtl, maxLeaseTtl } = core.mounts.effectiveTtls(entry);
    return {
      data: {
        description: entry.description,
        default_lease_ttl: defaultLeaseTtl,
        max_lease_ttl: maxLeaseTtl,
        force_no_cache: entry.config.force_no_cache,
        ...(Object.keys(entry.options).length ? { options: entry.options } : {}),
        ...stripUndefined({
          listing_visibility: entry.config.listing_visibility,
          audit_non_hmac_request_keys: entry.config.audit_non_hmac_request_keys,
          audit_non_hmac_response_keys: entry.config.audit_non_hmac_response_keys,
          passthrough_request_headers: entry.config.passthrough_request_headers,
          allowed_response_headers: entry.config.allowed_response_headers,
        }),
        ...(core.router.get(routedPathOf(entry))?.backend.userLockout ? describeLockout(entry.config.user_lockout_config) : {}),
      },
      legacyTopLevel: true,
    };
  };
  return [
    definePath({
      pattern: `${prefix}/:path*/tune`,
      fields: tuneFields,
      operations: {
        read: tuneRead,
        update: async ({ fields }) => {
          const { path, description, options, user_lockout_config: userLockout, ...config } = fields;
          await core.mounts.tune(table, path, { config: stripUndefined(config) as Partial<MountEntryConfig>, description, options, userLockout });
          return null;
        },
      },
      help: { synopsis: `Read or change the lease TTLs, description and options of one ${prefix === 'auth' ? 'auth method' : 'mount'}.` },
    }),
    definePath({
      pattern: `${prefix}/:path*`,
      fields: enableFields,
      operations: {
        read: ({ fields }) => {
          if (fields.path === '') return list();
          return { data: describeMount(core.mounts.require(table, fields.path)) };
        },
        update: async ({ fields }) => {
          if (fields.path === '') throw invalidRequest('a mount path is required');
          if (!fields.type) throw invalidRequest('a mount type is required: "type" is missing');
          const { type, options } = expandType(table, fields.type, fields.options);
          await core.mounts.enable(table, fields.path, {
            type,
            description: fields.description,
            config: stripUndefined(fields.config ?? {}) as Partial<MountEntryConfig>,
            options,
            local: fields.local,
            seal_wrap: fields.seal_wrap,
            external_entropy_access: fields.external_entropy_access,
          });
          return null;
        },
        delete: async ({ fields }) => {
          if (fields.path === '') throw invalidRequest('a mount path is required');
          await core.mounts.disable(table, fields.path);
          return null;
        },
      },
      help: { synopsis: prefix === 'auth' ? 'List, enable and disable auth methods.' : 'List, enable and disable secrets engines.' },
    }),
  ];
}

export function mountPaths(core: Core) {
  return [
    ...tablePaths(core, 'mounts', 'mounts'),
    ...tablePaths(core, 'auth', 'auth'),
    definePath({
      pattern: 'remount',
      fields: { from: z.string().min(1, 'required'), to: z.string().min(1, 'required') },
      operations: {
        update: async ({ fields }) => {
          const moved = await core.mounts.remount(fields.from, fields.to);
          return { data: { migration_id: moved.uuid } };
        },
      },
      help: { synopsis: 'Move a mount to another path; its data moves with it.' },
    }),
    definePath({
      pattern: 'internal/ui/mounts/:path*',
      fields: { path: z.string() },
      operations: {
        read: ({ fields, caller }) => {
          if (fields.path !== '') return readOneMount(core, fields.path, caller?.policies, caller?.entityId ?? '');
          const visible = (routed: string, visibility?: string) =>
            caller ? caller.isRoot || hasMountAccess(core, caller.policies, routed, caller.entityId) : visibility === 'unauth';
          const secret: Record<string, unknown> = {};
          const auth: Record<string, unknown> = {};
          for (const e of core.mounts.list('mounts')) if (visible(routedPathOf(e), e.config.listing_visibility)) secret[e.path] = describeMount(e);
          for (const e of core.mounts.list('auth')) if (visible(routedPathOf(e), e.config.listing_visibility)) auth[e.path] = describeMount(e);
          return { data: { secret, auth } };
        },
      },
      help: { synopsis: 'Mounts the caller can reach, for UIs and clients that detect the KV version.' },
    }),
  ];
}

function readOneMount(core: Core, rawPath: string, policies: string[] | undefined, entityId: string): Response {
  if (!policies) throw permissionDenied();
  const wanted = normalizeMountPath(rawPath);
  const match = core.router.match(wanted);
  if (!match || match.route.entry.type === 'system' && wanted !== 'sys/') throw invalidRequest(`no mount found at "${wanted}"`);
  const route = match.route;
  if (!policies.includes('root') && !hasMountAccess(core, policies, route.routedPath, entityId)) throw permissionDenied();
  return { data: { ...describeMount(route.entry), path: route.routedPath } };
}

function hasMountAccess(core: Core, policies: string[], routedPath: string, entityId: string): boolean {
  return core.policies.aclFor(policies, entityId).hasAnyAccessUnder(routedPath);
}
