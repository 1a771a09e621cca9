/**
 * The audit device table, persisted behind the barrier at `core/audit`, and each device's
 * salt at `audit/<uuid>/salt`. Plain data and functions; AuditManager turns entries into
 * live devices.
 */
import { getJson, jsonOp, type Storage, type StorageOp } from '../../logical/storage.js';

export interface AuditTableEntry {
  /** `file/`: canonical, with the trailing slash. */
  path: string;
  type: string;
  description: string;
  /** As given at enable, every value a string. */
  options: Record<string, string>;
  local: boolean;
  uuid: string;
  /** unix ms */
  created: number;
  /** Declared in the configuration file (configured-devices.ts): the API may not change or disable it. Absent: enabled through the API. */
  configured?: boolean;
}

const TABLE_KEY = 'core/audit';

export const saltKey = (uuid: string) => `audit/${uuid}/salt`;

export async function loadAuditTable(storage: Storage): Promise<AuditTableEntry[]> {
  return (await getJson<AuditTableEntry[]>(storage, TABLE_KEY)) ?? [];
}

export const auditTableOp = (entries: readonly AuditTableEntry[]): StorageOp => jsonOp(TABLE_KEY, entries);

/** One device as sys/audit lists it. */
export function describeAuditEntry(entry: AuditTableEntry) {
  return { type: entry.type, description: entry.description, options: entry.options, local: entry.local, path: entry.path };
}

/** Two audit paths conflict when one is the other or lies below it (as Vault has it). */
export const auditPathsConflict = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
