/**
 * Tidy: a full sweep of the token store's storage that repairs what crashes or races can
 * leave behind. Safe to run at any time; it only removes what is provably dead.
 */
import type { Storage } from '../../logical/storage.js';
import { isExpired, USED_UP, type TokenEntry } from './token-entry.js';
import { isHashedId } from './token-ids.js';

export interface TidyHost {
  storage: Storage;
  listKeys(prefix: string): Promise<string[]>;
  /** The stored entry, whatever its state. */
  readEntry(hashedId: string): Promise<TokenEntry | null>;
  isRevoking(hashedId: string): boolean;
  revokeTree(entry: TokenEntry): Promise<void>;
  now(): number;
}

export interface TidyReport {
  /** expired, half-revoked, or children of a parent that no longer exists */
  revokedTokens: number;
  removedAccessorIndexes: number;
  removedParentIndexes: number;
}

export async function runTidy(host: TidyHost): Promise<TidyReport> {
  const report: TidyReport = { revokedTokens: 0, removedAccessorIndexes: 0, removedParentIndexes: 0 };
  const revoke = async (entry: TokenEntry) => {
    if (host.isRevoking(entry.hashedId)) return;
    await host.revokeTree(entry);
    report.revokedTokens++;
  };

  // 1. Tokens: expired ones, ones whose revocation began and did not finish, and ones whose
  //    parent is gone (their parent's revocation would have taken them with it).
  const now = host.now();
  for (const h of await host.listKeys('id/')) {
    if (!isHashedId(h)) continue;
    const entry = await host.readEntry(h);
    if (!entry) continue;
    if (isExpired(entry, now) || (entry.numUses === USED_UP && !host.isRevoking(h))) {
      await revoke(entry);
    } else if (entry.parentHashedId && !(await host.readEntry(entry.parentHashedId)) && !host.isRevoking(entry.parentHashedId)) {
      await revoke(entry);
    }
  }

  // 2. Parent index entries whose child no longer exists.
  for (const parentDir of await host.listKeys('parent/')) {
    if (!parentDir.endsWith('/')) continue;
    for (const child of await host.listKeys(`parent/${parentDir}`)) {
      if (host.isRevoking(child)) continue;
      if (!isHashedId(child) || !(await host.readEntry(child))) {
        await host.storage.delete(`parent/${parentDir}${child}`);
        report.removedParentIndexes++;
      }
    }
  }

  // 3. Accessor index entries that point at nothing (or at a token with another accessor).
  for (const accessor of await host.listKeys('accessor/')) {
    if (accessor.endsWith('/')) continue;
    const raw = await host.storage.get(`accessor/${accessor}`);
    const h = raw?.toString('utf8') ?? '';
    if (host.isRevoking(h)) continue;
    const entry = isHashedId(h) ? await host.readEntry(h) : null;
    if (!entry || entry.accessor !== accessor) {
      await host.storage.delete(`accessor/${accessor}`);
      report.removedAccessorIndexes++;
    }
  }
  return report;
}
