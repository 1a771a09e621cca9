/**
 * Secret ids: issuing them (generated or custom), showing one, and spending one use at login.
 * A use is spent under a per-secret-id lock with the entry read again inside it, so two
 * logins racing for a secret id's last use cannot both win; the spent use is on disk before
 * the token is made.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import type { HandlerContext } from '../../framework/backend.js';
import { applyOps, type Storage } from '../../logical/storage.js';
import { rfc3339Nano } from '../../logical/time-format.js';
import { checkCidrList, cidrsWithin } from '../../framework/cidr.js';
import { parseMetadata } from './metadata.js';
import type { AppRoleState } from './mount-state.js';
import {
  deleteSecretIdOps,
  getSecretId,
  hmacOf,
  MAX_ID_BYTES,
  putSecretIdOps,
  secretIdKey,
  type RoleEntry,
  type SecretIdEntry,
} from './storage.js';

export interface IssueFields {
  metadata?: unknown;
  cidr_list?: string[];
  token_bound_cidrs?: string[];
  num_uses?: number;
  ttl?: number;
}

/** Vault's rule: a secret id's own limits may narrow its role's, never widen them. */
function usesAndTtl(role: RoleEntry, fields: IssueFields): { numUses: number; ttl: number } {
  let numUses = role.secretIdNumUses;
  if (fields.num_uses !== undefined) {
    numUses = fields.num_uses;
    if (numUses < 0) throw invalidRequest('num_uses cannot be negative');
    if (role.secretIdNumUses > 0 && (numUses === 0 || numUses > role.secretIdNumUses)) {
      throw invalidRequest("num_uses cannot be higher than the role's secret_id_num_uses");
    }
  }
  let ttl = role.secretIdTtl;
  if (fields.ttl !== undefined) {
    ttl = fields.ttl;
    if (role.secretIdTtl > 0 && (ttl === 0 || ttl > role.secretIdTtl)) throw invalidRequest("ttl cannot be longer than the role's secret_id_ttl");
  }
  return { numUses, ttl };
}

/**
 * Stores a new secret id for `role` and answers what Vault answers. `secretId` undefined:
 * a random one (a UUID, as Vault makes).
 */
export async function issueSecretId(
  ctx: Pick<HandlerContext, 'storage' | 'system' | 'clock'>,
  state: AppRoleState,
  role: RoleEntry,
  fields: IssueFields,
  custom?: string,
): Promise<Record<string, unknown>> {
  if (!role.bindSecretId) throw invalidRequest('bind_secret_id is not set on the role');
  if (custom !== undefined) {
    if (custom.trim() === '') throw invalidRequest('missing secret_id');
    if (Buffer.byteLength(custom, 'utf8') > MAX_ID_BYTES) throw invalidRequest(`secret_id is longer than ${MAX_ID_BYTES} bytes`);
  }
  const cidrList = checkCidrList('cidr_list', fields.cidr_list ?? []);
  if (!cidrsWithin(cidrList, role.secretIdBoundCidrs)) throw invalidRequest("cidr_list must lie within the role's secret_id_bound_cidrs");
  const tokenBoundCidrs = checkCidrList('token_bound_cidrs', fields.token_bound_cidrs ?? []);
  if (!cidrsWithin(tokenBoundCidrs, role.token.boundCidrs)) throw invalidRequest("token_bound_cidrs must lie within the role's token_bound_cidrs");
  const { numUses, ttl: requestedTtl } = usesAndTtl(role, fields);
  const metadata = parseMetadata(fields.metadata);
  // As Vault: a TTL past the mount's max lease TTL is brought down to it; 0 stays "never".
  const ttl = requestedTtl > ctx.system.maxLeaseTtl ? ctx.system.maxLeaseTtl : requestedTtl;

  const secretId = custom ?? randomUUID();
  const salt = await state.ensureSalt(ctx.storage);
  const hmac = hmacOf(salt, secretId);
  const now = ctx.clock();
  const entry: SecretIdEntry = {
    hmac,
    accessor: randomUUID(),
    numUses,
    ttl,
    creationTime: now,
    expirationTime: ttl > 0 ? now + ttl * 1000 : 0,
    lastUpdatedTime: now,
    metadata,
    cidrList,
    tokenBoundCidrs,
  };
  await state.locks.run(`secret-id:${hmac}`, async () => {
    if (await getSecretId(ctx.storage, role, hmac)) throw invalidRequest('SecretID is already registered');
    await applyOps(ctx.storage, putSecretIdOps(role, entry));
  });
  return { secret_id: secretId, secret_id_accessor: entry.accessor, secret_id_ttl: ttl, secret_id_num_uses: numUses };
}

/** Vault's zero time, shown for a secret id that never expires. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** What secret-id/lookup and secret-id-accessor/lookup answer. */
export function secretIdData(entry: SecretIdEntry): Record<string, unknown> {
  return {
    secret_id_accessor: entry.accessor,
    secret_id_num_uses: entry.numUses,
    secret_id_ttl: entry.ttl,
    creation_time: rfc3339Nano(entry.creationTime),
    expiration_time: entry.expirationTime > 0 ? rfc3339Nano(entry.expirationTime) : ZERO_TIME,
    last_updated_time: rfc3339Nano(entry.lastUpdatedTime),
    metadata: { ...entry.metadata },
    cidr_list: [...entry.cidrList],
    token_bound_cidrs: [...entry.tokenBoundCidrs],
  };
}

export const isExpired = (entry: SecretIdEntry, now: number) => entry.expirationTime > 0 && now >= entry.expirationTime;

/** The stored entry for a secret id, checked against its HMAC in constant time; null if unknown. */
export async function findSecretId(storage: Storage, role: RoleEntry, salt: Buffer, secretId: string): Promise<SecretIdEntry | null> {
  if (secretId === '' || Buffer.byteLength(secretId, 'utf8') > MAX_ID_BYTES) return null;
  const hmac = hmacOf(salt, secretId);
  const entry = await getSecretId(storage, role, hmac);
  if (!entry || typeof entry.hmac !== 'string' || entry.hmac.length !== hmac.length) return null;
  return timingSafeEqual(Buffer.from(entry.hmac), Buffer.from(hmac)) ? entry : null;
}

export async function destroySecretId(storage: Storage, state: AppRoleState, role: RoleEntry, hmac: string): Promise<boolean> {
  return state.locks.run(`secret-id:${hmac}`, async () => {
    const entry = await getSecretId(storage, role, hmac);
    if (!entry) return false;
    await applyOps(storage, deleteSecretIdOps(role, hmac, entry.accessor));
    return true;
  });
}

/**
 * Spends one use of a limited secret id; false when another login took the last one first
 * (or it expired or was destroyed meanwhile). The last use deletes the entry, as Vault does.
 * Unlimited secret ids are not written at all.
 */
export async function spendUse(ctx: Pick<HandlerContext, 'storage' | 'clock'>, state: AppRoleState, role: RoleEntry, hmac: string): Promise<boolean> {
  return state.locks.run(`secret-id:${hmac}`, async () => {
    const entry = await getSecretId(ctx.storage, role, hmac);
    const now = ctx.clock();
    if (!entry || isExpired(entry, now)) return false;
    if (entry.numUses === 0) return true;
    if (entry.numUses === 1) await applyOps(ctx.storage, deleteSecretIdOps(role, hmac, entry.accessor));
    else await ctx.storage.put(secretIdKey(role, hmac), Buffer.from(JSON.stringify({ ...entry, numUses: entry.numUses - 1, lastUpdatedTime: now }), 'utf8'));
    return true;
  });
}
