/**
 * Static roles at rest: `static-role/<name>` holds the user, its schedule and its current
 * password; `static-pending/<name>` holds a password that is being set in the database.
 * A rotation writes the pending password first, then sets it in the database, then
 * commits (role updated and pending deleted in one storage transaction), so a crash at any
 * point leaves either the old password current or the new one pending, never a password
 * the database has and storage lost.
 */
import { applyOps, getJson, jsonOp, putJson, type Storage } from '../../logical/storage.js';

export interface StaticRole {
  db_name: string;
  username: string;
  /** seconds */
  rotation_period: number;
  rotation_statements: string[];
  credential_type: 'password';
  password: string;
  /** unix ms of the last completed rotation */
  last_rotation: number;
}

export interface PendingRotation {
  password: string;
  /** unix ms */
  started: number;
}

export const readStaticRole = (s: Storage, name: string) => getJson<StaticRole>(s, `static-role/${name}`);
export const writeStaticRole = (s: Storage, name: string, role: StaticRole) => putJson(s, `static-role/${name}`, role);
export const readPending = (s: Storage, name: string) => getJson<PendingRotation>(s, `static-pending/${name}`);
export const writePending = (s: Storage, name: string, p: PendingRotation) => putJson(s, `static-pending/${name}`, p);

/** The role with its new password, and the pending entry gone: one commit. */
export function commitRotation(s: Storage, name: string, role: StaticRole): Promise<void> {
  return applyOps(s, [jsonOp(`static-role/${name}`, role), { kind: 'delete', key: `static-pending/${name}` }]);
}

export function deleteStaticRole(s: Storage, name: string): Promise<void> {
  return applyOps(s, [
    { kind: 'delete', key: `static-role/${name}` },
    { kind: 'delete', key: `static-pending/${name}` },
  ]);
}

export function nextRotation(role: StaticRole): number {
  return role.last_rotation + role.rotation_period * 1000;
}
