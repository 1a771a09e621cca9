/**
 * AppRole storage, in the mount's view:
 *
 *   salt                              32 random bytes: the mount's HMAC key
 *   role/<name>                       RoleEntry (names lower-case)
 *   role-id/<hmac(role_id)>           the role's name: login finds the role by its role id
 *   secret-id/<role uuid>/<hmac(id)>  SecretIdEntry
 *   accessor/<role uuid>/<accessor>   hmac(secret id)
 *
 * Secret ids and role ids are stored only as HMAC-SHA256 under the mount's salt, which lives
 * behind the barrier (and in memory while unsealed, mount-state.ts): a copy of the physical
 * storage names none of them. Secret ids sit below
 * their role's random uuid, not its name, so a deleted role's secret ids are unreachable the
 * moment the role is gone (and a new role of the same name starts with none), and a role's
 * accessor index only ever names that role's own secret ids.
 */
import { createHmac } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import { applyOps, getJson, putJson, type Storage, type StorageOp } from '../../logical/storage.js';
import type { TokenParams } from '../shared/token-params.js';

export interface RoleEntry {
  name: string;
  /** Random, fixed for the role's life: the folder of its secret ids. */
  uuid: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdBoundCidrs: string[];
  secretIdNumUses: number;
  /** seconds; 0 = secret ids do not expire */
  secretIdTtl: number;
  localSecretIds: boolean;
  token: TokenParams;
  /** Deprecated field names the role was written with; reads echo them as Vault does. */
  legacy?: { policies?: boolean; period?: boolean };
}

export interface SecretIdEntry {
  /** hmac(secret id), hex: compared again in constant time at login. */
  hmac: string;
  accessor: string;
  /** Logins left; 0 = unlimited. */
  numUses: number;
  /** seconds, as granted; 0 = no expiry */
  ttl: number;
  /** unix ms */
  creationTime: number;
  /** unix ms; 0 = never */
  expirationTime: number;
  lastUpdatedTime: number;
  metadata: Record<string, string>;
  cidrList: string[];
  tokenBoundCidrs: string[];
}

/** Longest role id or secret id accepted (Vault's bound on HMAC input). */
export const MAX_ID_BYTES = 4096;

const NAME = /^[a-z0-9_](?:[a-z0-9_.@-]{0,254}[a-z0-9_])?$/;

/** Role names are case-insensitive: stored and answered lower-case, as Vault does for new roles. */
export function requireRoleName(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (name === '') throw invalidRequest('missing role_name');
  if (!NAME.test(name)) {
    throw invalidRequest('invalid role_name: use up to 256 letters, digits, "_", "-", "." and "@", starting and ending with a letter, digit or "_"');
  }
  return name;
}

export const roleKey = (name: string) => `role/${name}`;
export const roleIdKey = (hmac: string) => `role-id/${hmac}`;
export const secretIdFolder = (role: RoleEntry) => `secret-id/${role.uuid}/`;
export const accessorFolder = (role: RoleEntry) => `accessor/${role.uuid}/`;
export const secretIdKey = (role: RoleEntry, hmac: string) => secretIdFolder(role) + hmac;
export const accessorKey = (role: RoleEntry, accessor: string) => accessorFolder(role) + accessor;

export const getRole = (storage: Storage, name: string) => getJson<RoleEntry>(storage, roleKey(name));
export const putRole = (storage: Storage, role: RoleEntry) => putJson(storage, roleKey(role.name), role);

export function hmacOf(salt: Buffer, value: string): string {
  return createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}

export const getSecretId = (storage: Storage, role: RoleEntry, hmac: string) => getJson<SecretIdEntry>(storage, secretIdKey(role, hmac));

/** The secret id entry and its accessor index, in one commit. */
export function putSecretIdOps(role: RoleEntry, entry: SecretIdEntry): StorageOp[] {
  return [
    { kind: 'put', key: secretIdKey(role, entry.hmac), value: Buffer.from(JSON.stringify(entry), 'utf8') },
    { kind: 'put', key: accessorKey(role, entry.accessor), value: Buffer.from(entry.hmac, 'utf8') },
  ];
}

export function deleteSecretIdOps(role: RoleEntry, hmac: string, accessor: string): StorageOp[] {
  return [
    { kind: 'delete', key: accessorKey(role, accessor) },
    { kind: 'delete', key: secretIdKey(role, hmac) },
  ];
}

/** Every key one level below `folder`, deleted in commits of a few hundred (a role's secret ids). */
export async function deleteFolder(storage: Storage, folder: string): Promise<void> {
  for (;;) {
    const names = (await storage.listPage(folder, '', 500)).filter((n) => !n.endsWith('/'));
    if (names.length === 0) return;
    await applyOps(storage, names.map((n) => ({ kind: 'delete' as const, key: folder + n })));
  }
}
