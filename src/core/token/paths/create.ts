/** `create`, `create-orphan` and `create/:role_name`: new child (or orphan) service tokens. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { decidePolicies, entityAliasAllowed, getRole, roleKey, type TokenRole } from '../token-roles.js';
import type { TokenStore } from '../token-store.js';
import { callerEntry, isPrivileged, isRootCaller, mountPath, withWarnings, type TokenBackendDeps } from './common.js';

const createFields = {
  role_name: z.string().optional(),
  id: z.string().optional(),
  policies: f.commaList().optional(),
  meta: f.stringMap().optional(),
  no_parent: f.bool().optional(),
  no_default_policy: f.bool().optional(),
  renewable: f.bool().optional(),
  ttl: f.duration().optional(),
  /** deprecated spelling of ttl */
  lease: f.duration().optional(),
  type: z.string().optional(),
  explicit_max_ttl: f.duration().optional(),
  display_name: z.string().optional(),
  num_uses: f.int().optional(),
  period: f.duration().optional(),
  entity_alias: z.string().optional(),
};

type CreateFields = z.infer<z.ZodObject<typeof createFields>>;
type Mode = 'create' | 'orphan' | 'role';

const DISPLAY_NAME_UNSAFE = /[^a-zA-Z0-9-]/g;

/** Vault's display names for token-store tokens: `token`, or `token-<name>` with unsafe characters dashed. */
export const tokenDisplayName = (name: string | undefined): string =>
  name && name.trim() !== '' ? `token-${name.trim().replace(DISPLAY_NAME_UNSAFE, '-')}` : 'token';

const minPositive = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

function checkType(type: string | undefined): void {
  if (type === undefined || type === '' || type === 'service' || type === 'default') return;
  if (type === 'batch') throw invalidRequest('batch tokens are not supported by this server; create a "service" token instead');
  throw invalidRequest(`invalid token type "${type}": expected "service"`);
}

async function createToken(ctx: HandlerContext<CreateFields>, store: TokenStore, deps: TokenBackendDeps, mode: Mode): Promise<Response> {
  const fields = ctx.fields;
  const caller = await callerEntry(ctx, store);
  const root = isRootCaller(ctx, caller);
  let role: TokenRole | undefined;
  if (fields.role_name !== undefined && fields.role_name !== '') {
    role = (await getRole(store.storage, fields.role_name)) ?? undefined;
    if (!role) throw invalidRequest(`unknown role "${roleKey(fields.role_name)}"`);
  } else if (mode === 'role') {
    throw invalidRequest('missing role_name');
  }
  checkType(fields.type);
  if (fields.id !== undefined && fields.id !== '' && !root) throw invalidRequest('only a root token may choose the id of a new token');

  let orphan = mode === 'orphan' || !!role?.orphan;
  if (fields.no_parent && !orphan) {
    // Vault's exact words and status (400): scripts and clients match on them.
    if (!(await isPrivileged(ctx, caller, deps))) throw invalidRequest('root or sudo privileges required to create orphan token');
    orphan = true;
  }
  if (!orphan && caller.numUses !== 0) throw invalidRequest('a token with a use limit cannot create child tokens');

  const numUses = fields.num_uses ?? 0;
  if (numUses < 0) throw invalidRequest('num_uses cannot be negative');
  let period = fields.period ?? 0;
  if (role && role.period > 0) period = minPositive(period, role.period);
  else if (period > 0 && !(await isPrivileged(ctx, caller, deps))) {
    throw invalidRequest('root or sudo privileges (or a role with token_period) are required to create a periodic token');
  }

  const decision = decidePolicies({
    requested: fields.policies,
    callerPolicies: caller.policies,
    callerIsRoot: root,
    role,
    noDefaultPolicy: fields.no_default_policy ?? false,
  });

  // As in Vault, a role may let its tokens speak for an entity through an alias on this mount.
  let entityId = caller.entityId || undefined;
  if (fields.entity_alias !== undefined && fields.entity_alias !== '') {
    if (!role) throw invalidRequest("'entity_alias' is only allowed in combination with token role");
    if (!entityAliasAllowed(role, fields.entity_alias)) throw invalidRequest("invalid 'entity_alias' value");
    if (!deps.entityForAlias) throw invalidRequest('entity_alias is not available on this mount');
    entityId = await deps.entityForAlias(ctx.mount.accessor, fields.entity_alias);
  }

  const base = mountPath(ctx);
  const path =
    mode === 'orphan' ? `${base}create-orphan`
    : role ? `${base}create/${role.name}${role.pathSuffix ? `/${role.pathSuffix}` : ''}`
    : `${base}create`;

  const { token, entry, warnings } = await store.create({
    policies: decision.policies,
    noDefaultPolicy: decision.noDefaultPolicy,
    parent: caller,
    orphan,
    path,
    displayName: tokenDisplayName(fields.display_name),
    meta: fields.meta ?? {},
    ttl: fields.ttl ?? fields.lease ?? 0,
    defaultTtl: ctx.system.defaultLeaseTtl,
    maxTtl: ctx.system.maxLeaseTtl,
    explicitMaxTtl: minPositive(fields.explicit_max_ttl ?? 0, role?.explicitMaxTtl ?? 0),
    period,
    renewable: (fields.renewable ?? true) && (role ? role.renewable : true),
    numUses: minPositive(numUses, role?.numUses ?? 0),
    id: fields.id === '' ? undefined : fields.id,
    role: role?.name,
    boundCidrs: role?.boundCidrs,
    // A child token belongs to the same entity as the token that created it, unless entity_alias named another.
    entityId,
  });

  if (deps.policyExists) {
    for (const p of entry.policies) {
      if (p !== 'root' && p !== 'default' && !(await deps.policyExists(p))) warnings.push(`policy "${p}" does not exist yet`);
    }
  }
  return withWarnings({ data: null, authBlock: store.authBlock(token, entry) }, warnings);
}

export function createPaths(store: TokenStore, deps: TokenBackendDeps): PathDefinition[] {
  return [
    definePath({
      pattern: 'create',
      fields: createFields,
      operations: { update: (ctx) => createToken(ctx, store, deps, 'create') },
      help: { synopsis: 'Create a token that is a child of the calling token (or an orphan with no_parent).' },
    }),
    definePath({
      pattern: 'create-orphan',
      fields: createFields,
      operations: { update: (ctx) => createToken(ctx, store, deps, 'orphan') },
      help: { synopsis: 'Create a token with no parent: it is not revoked when the calling token is.' },
    }),
    definePath({
      pattern: 'create/:role_name',
      fields: { ...createFields, role_name: z.string() },
      operations: { update: (ctx) => createToken(ctx, store, deps, 'role') },
      help: { synopsis: 'Create a token under the settings of a token role.' },
    }),
  ];
}
