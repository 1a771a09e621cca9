/**
 * A role's settings: the fields a write takes, how a write (of the whole role or of one of
 * its narrow sub-paths) changes a role, the rules a role must keep, and what a read answers.
 * Storing a role and its role-id index together is here too, so every path that changes a
 * role keeps the index right.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { f } from '../../framework/fields.js';
import { applyOps, type Storage, type StorageOp } from '../../logical/storage.js';
import { checkCidrList } from '../../framework/cidr.js';
import { applyTokenFields, checkAgainstMount, defaultTokenParams, legacyTokenFields, tokenFields, tokenParamsData, type TokenFieldValues } from '../shared/token-params.js';
import { getRole, hmacOf, MAX_ID_BYTES, roleIdKey, roleKey, type RoleEntry } from './storage.js';

export const roleSettingFields = {
  bind_secret_id: f.bool().optional().describe('Require a secret_id at login (default true)'),
  secret_id_bound_cidrs: f.commaList().optional().describe('CIDR blocks logins must come from'),
  bound_cidr_list: f.commaList().optional().describe('Deprecated: use secret_id_bound_cidrs'),
  secret_id_num_uses: f.int().optional().describe('Logins each secret id allows; 0 = unlimited'),
  secret_id_ttl: f.duration().optional().describe('Lifetime of each secret id; 0 = no expiry'),
  local_secret_ids: f.bool().optional().describe('Accepted for compatibility; set only at creation'),
  role_id: z.string().optional().describe('A custom role id; a random UUID by default'),
  ...tokenFields,
  policies: legacyTokenFields.policies,
  period: legacyTokenFields.period,
};

export type RoleChange = Partial<{
  bind_secret_id: boolean;
  secret_id_bound_cidrs: string[];
  bound_cidr_list: string[];
  secret_id_num_uses: number;
  secret_id_ttl: number;
  local_secret_ids: boolean;
  role_id: string;
}> &
  TokenFieldValues;

export function newRole(name: string): RoleEntry {
  return {
    name,
    uuid: randomUUID(),
    roleId: randomUUID(),
    bindSecretId: true,
    secretIdBoundCidrs: [],
    secretIdNumUses: 0,
    secretIdTtl: 0,
    localSecretIds: false,
    token: defaultTokenParams(),
  };
}

export function checkRoleId(roleId: string): string {
  if (roleId.trim() === '') throw invalidRequest('invalid role_id: it must not be empty');
  if (Buffer.byteLength(roleId, 'utf8') > MAX_ID_BYTES) throw invalidRequest(`role_id is longer than ${MAX_ID_BYTES} bytes`);
  return roleId;
}

/**
 * The role after a write. `current` null: the role is being created. Every field is
 * validated; the role as a whole must keep at least one constraint on who may log in.
 */
export function applyRoleChange(current: RoleEntry | null, name: string, change: RoleChange, mountMaxTtl: number, warnings: string[]): RoleEntry {
  const creating = current === null;
  const role: RoleEntry = current ? { ...current } : newRole(name);
  if (change.local_secret_ids !== undefined) {
    if (!creating && change.local_secret_ids !== role.localSecretIds) throw invalidRequest('local_secret_ids can only be modified during role creation');
    role.localSecretIds = change.local_secret_ids;
  }
  if (change.role_id !== undefined) role.roleId = checkRoleId(change.role_id);
  if (change.bind_secret_id !== undefined) role.bindSecretId = change.bind_secret_id;
  const boundCidrs = change.secret_id_bound_cidrs ?? change.bound_cidr_list;
  if (boundCidrs !== undefined) role.secretIdBoundCidrs = checkCidrList('secret_id_bound_cidrs', boundCidrs);
  if (change.secret_id_num_uses !== undefined) {
    if (change.secret_id_num_uses < 0) throw invalidRequest('secret_id_num_uses cannot be negative');
    role.secretIdNumUses = change.secret_id_num_uses;
  }
  if (change.secret_id_ttl !== undefined) role.secretIdTtl = change.secret_id_ttl;
  role.token = applyTokenFields(role.token, change, warnings);
  checkAgainstMount(role.token, mountMaxTtl, warnings);
  const legacy = { ...role.legacy };
  if (change.token_policies !== undefined) legacy.policies = false;
  else if (change.policies !== undefined) legacy.policies = true;
  if (change.token_period !== undefined) legacy.period = false;
  else if (change.period !== undefined) legacy.period = true;
  if (legacy.policies || legacy.period) role.legacy = legacy;
  else delete role.legacy;
  if (!role.bindSecretId && role.secretIdBoundCidrs.length === 0 && role.token.boundCidrs.length === 0) {
    throw invalidRequest('at least one constraint should be enabled on the role: bind_secret_id, secret_id_bound_cidrs or token_bound_cidrs');
  }
  return role;
}

/** What a read of the role answers. */
export function roleData(role: RoleEntry): Record<string, unknown> {
  const data: Record<string, unknown> = {
    bind_secret_id: role.bindSecretId,
    secret_id_bound_cidrs: [...role.secretIdBoundCidrs],
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    local_secret_ids: role.localSecretIds,
    ...tokenParamsData(role.token),
  };
  // Vault echoes the deprecated names a role was written with.
  if (role.legacy?.policies) data.policies = [...role.token.policies];
  if (role.legacy?.period) data.period = role.token.period;
  return data;
}

/**
 * Writes the role and keeps its role-id index right, in one commit. Callers hold the
 * mount's role lock, so two roles cannot claim one role id at once.
 */
export async function saveRole(storage: Storage, salt: Buffer, previous: RoleEntry | null, role: RoleEntry): Promise<void> {
  const ops: StorageOp[] = [{ kind: 'put', key: roleKey(role.name), value: Buffer.from(JSON.stringify(role), 'utf8') }];
  if (!previous || previous.roleId !== role.roleId) {
    const key = roleIdKey(hmacOf(salt, role.roleId));
    const owner = (await storage.get(key))?.toString('utf8');
    // An index whose role is gone or has another role id since is stale, not a claim.
    if (owner && owner !== role.name && (await getRole(storage, owner))?.roleId === role.roleId) throw invalidRequest('role_id already in use');
    if (previous) ops.push({ kind: 'delete', key: roleIdKey(hmacOf(salt, previous.roleId)) });
    ops.push({ kind: 'put', key, value: Buffer.from(role.name, 'utf8') });
  }
  await applyOps(storage, ops);
}
