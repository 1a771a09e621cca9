/** `roles/` (list) and `roles/:role_name` (read, write, delete). */
import { z } from 'zod';
import { invalidRequest, notFound } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { invalidCidr } from '../token-entry.js';
import {
  checkPathSuffix, defaultRole, deleteRole, getRole, listRoles, putRole, roleKey, roleResponse, type TokenRole,
} from '../token-roles.js';
import type { TokenStore } from '../token-store.js';
import { listResponse } from './common.js';

const roleFields = {
  role_name: z.string(),
  allowed_policies: f.commaList().optional(),
  disallowed_policies: f.commaList().optional(),
  allowed_policies_glob: f.commaList().optional(),
  disallowed_policies_glob: f.commaList().optional(),
  orphan: f.bool().optional(),
  renewable: f.bool().optional(),
  path_suffix: z.string().optional(),
  allowed_entity_aliases: f.commaList().optional(),
  token_bound_cidrs: f.commaList().optional(),
  token_explicit_max_ttl: f.duration().optional(),
  token_period: f.duration().optional(),
  token_no_default_policy: f.bool().optional(),
  token_num_uses: f.int().optional(),
  token_type: z.string().optional(),
  /** deprecated names, still sent by older clients */
  bound_cidrs: f.commaList().optional(),
  explicit_max_ttl: f.duration().optional(),
  period: f.duration().optional(),
};

type RoleFields = z.infer<z.ZodObject<typeof roleFields>>;

const lowerList = (list: string[]) => [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))].sort();

/** Applies the fields given to a role (fields left out keep their value, as in Vault). */
function applyFields(role: TokenRole, fields: RoleFields): TokenRole {
  const next = { ...role };
  if (fields.allowed_policies) next.allowedPolicies = lowerList(fields.allowed_policies);
  if (fields.disallowed_policies) next.disallowedPolicies = lowerList(fields.disallowed_policies);
  if (fields.allowed_policies_glob) next.allowedPoliciesGlob = lowerList(fields.allowed_policies_glob);
  if (fields.disallowed_policies_glob) next.disallowedPoliciesGlob = lowerList(fields.disallowed_policies_glob);
  if (fields.orphan !== undefined) next.orphan = fields.orphan;
  if (fields.renewable !== undefined) next.renewable = fields.renewable;
  if (fields.path_suffix !== undefined) {
    checkPathSuffix(fields.path_suffix);
    next.pathSuffix = fields.path_suffix;
  }
  if (fields.allowed_entity_aliases) next.allowedEntityAliases = [...fields.allowed_entity_aliases];
  const cidrs = fields.token_bound_cidrs ?? fields.bound_cidrs;
  if (cidrs) {
    const bad = invalidCidr(cidrs);
    if (bad !== undefined) throw invalidRequest(`invalid CIDR block "${bad}" in token_bound_cidrs`);
    next.boundCidrs = [...cidrs];
  }
  const explicitMax = fields.token_explicit_max_ttl ?? fields.explicit_max_ttl;
  if (explicitMax !== undefined) next.explicitMaxTtl = explicitMax;
  const period = fields.token_period ?? fields.period;
  if (period !== undefined) next.period = period;
  if (fields.token_no_default_policy !== undefined) next.noDefaultPolicy = fields.token_no_default_policy;
  if (fields.token_num_uses !== undefined) {
    if (fields.token_num_uses < 0) throw invalidRequest('token_num_uses cannot be negative');
    next.numUses = fields.token_num_uses;
  }
  if (fields.token_type !== undefined) {
    const type = fields.token_type.trim().toLowerCase();
    if (type === 'batch' || type === 'default-batch') {
      throw invalidRequest('batch tokens are not supported by this server; use token_type "service"');
    }
    if (type === 'service' || type === 'default-service') next.tokenType = type;
    else if (type === 'default' || type === '') next.tokenType = 'default-service';
    else throw invalidRequest(`invalid token_type "${fields.token_type}": expected "service" or "default-service"`);
  }
  return next;
}

export function rolePaths(store: TokenStore): PathDefinition[] {
  return [
    definePath({
      pattern: 'roles/?',
      // An empty list is answered as Vault does: not found.
      operations: { list: async () => listResponse(await listRoles(store.storage)) },
      help: { synopsis: 'List the token roles.' },
    }),
    definePath({
      pattern: 'roles/:role_name',
      fields: roleFields,
      existenceCheck: async (ctx) => (await getRole(store.storage, ctx.fields.role_name)) !== null,
      operations: {
        read: async (ctx) => {
          const role = await getRole(store.storage, ctx.fields.role_name);
          if (!role) throw notFound();
          return { data: roleResponse(role) };
        },
        update: async (ctx) => {
          const name = roleKey(ctx.fields.role_name);
          const current = (await getRole(store.storage, name)) ?? defaultRole(name);
          await putRole(store.storage, applyFields(current, ctx.fields));
          return null;
        },
        delete: async (ctx) => {
          await deleteRole(store.storage, ctx.fields.role_name);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete a token role.' },
    }),
  ];
}
