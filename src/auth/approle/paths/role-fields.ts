/**
 * One path per role setting (`role/:role_name/policies`, `…/secret-id-ttl`, …), as Vault has
 * them so ACLs can hand out one setting without the rest. GET reads it, POST sets it, DELETE
 * puts it back to its default. All go through the same change and rules as a role write.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { AppRoleState } from '../mount-state.js';
import type { RoleChange } from '../role-config.js';
import type { RoleEntry } from '../storage.js';
import { changeRole, requireRole } from './role.js';

interface Setting {
  suffix: string;
  /** Accepted names, new first (the first one given wins). */
  names: string[];
  schema: z.ZodType;
  read: (role: RoleEntry) => Record<string, unknown>;
  /** The change for a value; the same with the default for DELETE. */
  change: (value: unknown) => RoleChange;
  reset: unknown;
}

const list = () => f.commaList().optional();
const duration = () => f.duration().optional();
const int = () => f.int().optional();

const SETTINGS: Setting[] = [
  {
    suffix: 'policies',
    names: ['token_policies', 'policies'],
    schema: list(),
    read: (r) => ({ token_policies: [...r.token.policies], ...(r.legacy?.policies ? { policies: [...r.token.policies] } : {}) }),
    change: (v) => ({ token_policies: v as string[] }),
    reset: [],
  },
  { suffix: 'secret-id-num-uses', names: ['secret_id_num_uses'], schema: int(), read: (r) => ({ secret_id_num_uses: r.secretIdNumUses }), change: (v) => ({ secret_id_num_uses: v as number }), reset: 0 },
  { suffix: 'secret-id-ttl', names: ['secret_id_ttl'], schema: duration(), read: (r) => ({ secret_id_ttl: r.secretIdTtl }), change: (v) => ({ secret_id_ttl: v as number }), reset: 0 },
  { suffix: 'token-ttl', names: ['token_ttl'], schema: duration(), read: (r) => ({ token_ttl: r.token.ttl }), change: (v) => ({ token_ttl: v as number }), reset: 0 },
  { suffix: 'token-max-ttl', names: ['token_max_ttl'], schema: duration(), read: (r) => ({ token_max_ttl: r.token.maxTtl }), change: (v) => ({ token_max_ttl: v as number }), reset: 0 },
  { suffix: 'token-num-uses', names: ['token_num_uses'], schema: int(), read: (r) => ({ token_num_uses: r.token.numUses }), change: (v) => ({ token_num_uses: v as number }), reset: 0 },
  { suffix: 'bind-secret-id', names: ['bind_secret_id'], schema: f.bool().optional(), read: (r) => ({ bind_secret_id: r.bindSecretId }), change: (v) => ({ bind_secret_id: v as boolean }), reset: true },
  {
    suffix: 'secret-id-bound-cidrs',
    names: ['secret_id_bound_cidrs'],
    schema: list(),
    read: (r) => ({ secret_id_bound_cidrs: [...r.secretIdBoundCidrs] }),
    change: (v) => ({ secret_id_bound_cidrs: v as string[] }),
    reset: [],
  },
  {
    suffix: 'bound-cidr-list',
    names: ['bound_cidr_list'],
    schema: list(),
    read: (r) => ({ bound_cidr_list: [...r.secretIdBoundCidrs] }),
    change: (v) => ({ secret_id_bound_cidrs: v as string[] }),
    reset: [],
  },
  {
    suffix: 'token-bound-cidrs',
    names: ['token_bound_cidrs'],
    schema: list(),
    read: (r) => ({ token_bound_cidrs: [...r.token.boundCidrs] }),
    change: (v) => ({ token_bound_cidrs: v as string[] }),
    reset: [],
  },
  {
    suffix: 'period',
    names: ['token_period', 'period'],
    schema: duration(),
    read: (r) => ({ token_period: r.token.period, ...(r.legacy?.period ? { period: r.token.period } : {}) }),
    change: (v) => ({ token_period: v as number }),
    reset: 0,
  },
];

function settingPath(setting: Setting, state: AppRoleState): PathDefinition {
  const fields: Record<string, z.ZodType> = { role_name: z.string() };
  for (const name of setting.names) fields[name] = setting.schema;
  return definePath({
    pattern: `role/:role_name/${setting.suffix}`,
    fields: fields as { role_name: z.ZodString },
    operations: {
      read: async (ctx) => ({ data: setting.read(await requireRole(ctx)) }),
      update: async (ctx) => {
        const raw = ctx.fields as Record<string, unknown>;
        const given = setting.names.find((n) => raw[n] !== undefined);
        if (!given) throw invalidRequest(`missing ${setting.names[0]}`);
        const change = setting.change(raw[given]);
        // The deprecated name is remembered, as a whole-role write would.
        if (given === 'policies') return changeRole(ctx, state, { policies: raw[given] as string[] });
        if (given === 'period') return changeRole(ctx, state, { period: raw[given] as number });
        return changeRole(ctx, state, change);
      },
      delete: (ctx) => changeRole(ctx, state, setting.change(setting.reset)),
    },
    help: { synopsis: `Read, set or reset the ${setting.names[0]} of a role.` },
  });
}

export function roleSettingPaths(state: AppRoleState): PathDefinition[] {
  return [
    ...SETTINGS.map((s) => settingPath(s, state)),
    definePath({
      pattern: 'role/:role_name/local-secret-ids',
      fields: { role_name: z.string() },
      operations: { read: async (ctx) => ({ data: { local_secret_ids: (await requireRole(ctx)).localSecretIds } }) },
      help: { synopsis: 'Whether the secret ids of a role are local to this cluster (set at creation only).' },
    }),
  ];
}
