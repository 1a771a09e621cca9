/**
 * `login` {role_id, secret_id}. An unknown role id, an unknown, expired or used-up secret id
 * all answer the same 400 "invalid role or secret ID". CIDR bindings are checked against the
 * connection's real address before a use is spent, so a login from the wrong network costs
 * the secret id nothing. The hot path reads four entries (salt, role-id index, role, secret
 * id; the salt and role come from memory once read) and writes nothing unless the secret
 * id has a use limit.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { addressAllowed, cidrsWithin } from '../../../framework/cidr.js';
import { tokenAuth } from '../../shared/token-params.js';
import type { AppRoleState } from '../mount-state.js';
import { findSecretId, isExpired, spendUse } from '../secret-ids.js';
import { deleteSecretIdOps, MAX_ID_BYTES, type RoleEntry, type SecretIdEntry } from '../storage.js';
import { applyOps } from '../../../logical/storage.js';

const INVALID = 'invalid role or secret ID';

const loginFields = {
  role_id: z.string().optional().describe('The role id of the role'),
  secret_id: z.string().optional().describe('A secret id of the role (unless the role has bind_secret_id false)'),
};

type LoginCtx = HandlerContext<z.infer<z.ZodObject<typeof loginFields>>>;

function checkSource(ctx: LoginCtx, role: RoleEntry, entry: SecretIdEntry | null): void {
  const remote = ctx.req.remoteAddress;
  if (entry && entry.cidrList.length > 0) {
    // The role's CIDRs may have narrowed since the secret id was issued.
    if (!cidrsWithin(entry.cidrList, role.secretIdBoundCidrs)) throw invalidRequest("the secret ID's CIDR blocks are no longer within the role's secret_id_bound_cidrs");
    if (!addressAllowed(remote, entry.cidrList)) throw invalidRequest(`source address "${remote ?? ''}" unauthorized through CIDR restrictions on the secret ID`);
  }
  if (role.secretIdBoundCidrs.length > 0 && !addressAllowed(remote, role.secretIdBoundCidrs)) {
    throw invalidRequest(`source address "${remote ?? ''}" unauthorized by CIDR restrictions on the role`);
  }
}

/** The secret id's entry, its use spent; throws the one "invalid" answer otherwise. */
async function useSecretId(ctx: LoginCtx, state: AppRoleState, role: RoleEntry, salt: Buffer): Promise<SecretIdEntry> {
  const secretId = (ctx.fields.secret_id ?? '').trim();
  if (secretId === '') throw invalidRequest('missing secret_id');
  const entry = await findSecretId(ctx.storage, role, salt, secretId);
  if (!entry) throw invalidRequest(INVALID);
  if (isExpired(entry, ctx.clock())) {
    // Refused now, not at the next tidy; and tidied on the way.
    await applyOps(ctx.storage, deleteSecretIdOps(role, entry.hmac, entry.accessor)).catch(() => undefined);
    throw invalidRequest(INVALID);
  }
  checkSource(ctx, role, entry);
  if (entry.numUses > 0 && !(await spendUse(ctx, state, role, entry.hmac))) throw invalidRequest(INVALID);
  return entry;
}

async function login(ctx: LoginCtx, state: AppRoleState): Promise<Response> {
  const roleId = (ctx.fields.role_id ?? '').trim();
  if (roleId === '') throw invalidRequest('missing role_id');
  if (Buffer.byteLength(roleId, 'utf8') > MAX_ID_BYTES) throw invalidRequest(INVALID);
  const salt = await state.readSalt(ctx.storage);
  const role = salt ? await state.roleByRoleId(ctx.storage, roleId) : null;
  if (!salt || !role) throw invalidRequest(INVALID);

  let entry: SecretIdEntry | null = null;
  if (role.bindSecretId) entry = await useSecretId(ctx, state, role, salt);
  else checkSource(ctx, role, null);

  // The secret id's own metadata, then the role's name, which nothing may override.
  const metadata: Record<string, string> = { ...entry?.metadata, role_name: role.name };
  const auth = tokenAuth(role.token);
  const boundCidrs = entry && entry.tokenBoundCidrs.length > 0 ? [...entry.tokenBoundCidrs] : auth.boundCidrs;
  return {
    auth: {
      ...auth,
      boundCidrs,
      metadata,
      alias: { name: role.roleId, metadata },
      internalData: { role_name: role.name },
    },
  };
}

export function loginPath(state: AppRoleState): PathDefinition {
  return definePath({
    pattern: 'login',
    fields: loginFields,
    operations: { update: (ctx) => login(ctx, state) },
    help: {
      synopsis: 'Log in with a role id and a secret id.',
      description: 'role_id is always required; secret_id too unless the role has bind_secret_id false.',
    },
  });
}
