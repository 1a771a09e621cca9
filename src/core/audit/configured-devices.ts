/**
 * Audit devices declared in the server's configuration file (`audit "file" "main" { ... }`).
 * They belong to whoever writes that file, not to API callers: at each unseal a declared
 * device that is missing is created, one that matches its stanza is left alone (with its
 * salt, so earlier hashes still compare), and one whose stanza is gone is disabled.
 * sys/audit can neither change nor disable them.
 *
 * A stanza that no longer matches the device it created is refused, not applied, as OpenBao
 * does: nodes sharing one storage may run different files during an upgrade, and each would
 * otherwise rewrite the device at every failover. Its message says how to change one.
 */
import { randomUUID } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import { auditPathsConflict, type AuditTableEntry } from './audit-table.js';

export interface ConfiguredAuditDevice {
  /** Canonical, with the trailing slash. */
  path: string;
  type: string;
  description: string;
  /** Every value a string, as sys/audit stores them. */
  options: Record<string, string>;
  local: boolean;
}

export interface ConfiguredSync {
  /** The table once the configuration is applied. */
  entries: AuditTableEntry[];
  /** New entries, which need a salt. */
  added: AuditTableEntry[];
  /** Entries of stanzas that are gone: their salts go too. */
  removed: AuditTableEntry[];
}

/** Why a stored device differs from its stanza, or undefined when it does not. */
function difference(entry: AuditTableEntry, want: ConfiguredAuditDevice): string | undefined {
  if (entry.type !== want.type) return `type "${entry.type}" enabled, "${want.type}" configured`;
  if (entry.description !== want.description) return `description ${JSON.stringify(entry.description)} enabled, ${JSON.stringify(want.description)} configured`;
  if (entry.local !== want.local) return `local ${entry.local} enabled, ${want.local} configured`;
  for (const key of new Set([...Object.keys(entry.options), ...Object.keys(want.options)])) {
    const had = entry.options[key];
    const wants = want.options[key];
    if (had !== wants) return `option "${key}" ${had === undefined ? 'not set' : JSON.stringify(had)} enabled, ${wants === undefined ? 'not set' : JSON.stringify(wants)} configured`;
  }
  return undefined;
}

/** The table with the configuration applied; throws a 400 naming the stanza that cannot be. */
export function syncConfiguredDevices(table: readonly AuditTableEntry[], configured: readonly ConfiguredAuditDevice[], now: number): ConfiguredSync {
  const wanted = new Map(configured.map((c) => [c.path, c]));
  const removed = table.filter((e) => e.configured && !wanted.has(e.path));
  const entries = table.filter((e) => !removed.includes(e));
  const added: AuditTableEntry[] = [];
  for (const want of configured) {
    const existing = entries.find((e) => e.path === want.path);
    if (existing?.configured) {
      const why = difference(existing, want);
      if (why) {
        throw invalidRequest(
          `the audit device "${want.path}" of the configuration file differs from the one it created (${why}): a configured device cannot be changed; remove its audit stanza, restart (which disables it), then declare it again`,
        );
      }
      continue;
    }
    const clash = entries.find((e) => auditPathsConflict(e.path, want.path));
    if (clash) {
      throw invalidRequest(
        `the audit device "${want.path}" of the configuration file clashes with the device at "${clash.path}", which was enabled through the API: take the stanza out for now, unseal, disable that device (DELETE sys/audit/${clash.path}), then declare this one again`,
      );
    }
    const entry: AuditTableEntry = { ...want, options: { ...want.options }, uuid: randomUUID(), created: now, configured: true };
    added.push(entry);
    entries.push(entry);
  }
  return { entries, added, removed };
}
