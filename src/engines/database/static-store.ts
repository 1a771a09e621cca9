/**
 * Static roles at rest: `static-role/<name>` holds the user, its schedule and its current
 * password; `static-pending/<name>` holds a password that is being set in the database.
 * A rotation writes the pending password first, then sets it in the database, then
 * commits (role updated and pending deleted in one storage transaction), so a crash at any
 * point leaves either the old password current or the new one pending, never a password
 * the database has and storage lost.
 */
import { applyOps, getJson, jsonOp, putJson, type Storage } from '../../logical/storage.js';
import { nextRun, parseCron, type CronSchedule } from './cron.js';

export interface StaticRole {
  db_name: string;
  username: string;
  /** seconds; 0 when the role rotates on `rotation_schedule` instead */
  rotation_period: number;
  /** A five-field cron expression in UTC ('' or absent: rotation_period). */
  rotation_schedule?: string;
  /** seconds after a scheduled time in which a failed rotation is retried; 0 or absent: until it succeeds */
  rotation_window?: number;
  /** unix ms the role was created without a rotation (skip_import_rotation): its period counts from there */
  imported?: number;
  rotation_statements: string[];
  credential_type: 'password';
  password: string;
  /** unix ms of the last completed rotation; 0 before the first (skip_import_rotation) */
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

const parsed = new Map<string, CronSchedule>();

/** Parsed once per expression (they were validated when stored). */
function scheduleOf(expression: string): CronSchedule {
  let s = parsed.get(expression);
  if (!s) {
    s = parseCron(expression);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(expression, s);
  }
  return s;
}

/**
 * When the role's password is next due to change, as of `now` (unix ms): `now` itself when a
 * rotation is due and not yet done. A period counts from the last rotation (or the import).
 * A schedule is due from a scheduled time after the last rotation until it succeeds, or, with
 * a rotation_window, until the window closes; a missed window waits for the next time.
 */
export function nextRotation(role: StaticRole, now: number): number {
  const last = role.last_rotation || role.imported || 0;
  if (!role.rotation_schedule) return last + role.rotation_period * 1000;
  const schedule = scheduleOf(role.rotation_schedule);
  const window = (role.rotation_window ?? 0) * 1000;
  const missed = nextRun(schedule, window > 0 ? Math.max(last, now - window) : last);
  if (missed !== undefined && missed <= now) return now;
  return nextRun(schedule, now) ?? Number.MAX_SAFE_INTEGER;
}
