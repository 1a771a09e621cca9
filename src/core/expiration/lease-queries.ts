/** Read-only questions operators ask of the lease store: listings and counts. */
import { isoTime } from '../../logical/time-format.js';
import type { Core } from '../core.js';
import type { LeaseEntry } from './lease-entry.js';
import { walkLeaseIds } from './lease-walk.js';
import { tokenLeaseId, tokensUnder } from './token-leases.js';

/** One level below `prefix` ('' or ending in '/'): lease ids' last segments and folders, secret and token leases alike. */
export async function listLeaseKeys(core: Core, prefix: string): Promise<string[]> {
  const keys = new Set(await core.expiration.storage.list(`id/${prefix}`));
  for (const token of tokensUnder(core.tokens, prefix)) {
    const rest = tokenLeaseId(token).slice(prefix.length);
    const slash = rest.indexOf('/');
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  return [...keys].sort();
}

async function* leaseEntries(core: Core): AsyncGenerator<LeaseEntry> {
  for await (const id of walkLeaseIds(core.expiration.storage, '')) {
    const entry = await core.expiration.read(id);
    if (entry) yield entry;
  }
}

export async function countLeases(core: Core, type: 'irrevocable' | 'all'): Promise<Record<string, unknown>> {
  const counts: Record<string, number> = {};
  let total = 0;
  for await (const entry of leaseEntries(core)) {
    if (type === 'irrevocable' && !entry.irrevocable) continue;
    total++;
    counts[entry.mountUuid] = (counts[entry.mountUuid] ?? 0) + 1;
  }
  if (type === 'all') total += tokensUnder(core.tokens, '').length;
  return { lease_count: total, counts };
}

export async function irrevocableLeases(core: Core, limit: number): Promise<Record<string, unknown>> {
  const leases: Record<string, unknown>[] = [];
  let total = 0;
  for await (const entry of leaseEntries(core)) {
    if (!entry.irrevocable) continue;
    total++;
    if (leases.length < limit) {
      leases.push({ lease_id: entry.leaseId, mount_id: entry.mountUuid, error: entry.lastError ?? '', expire_time: isoTime(entry.expireTime) });
    }
  }
  const data: Record<string, unknown> = { lease_count: total, leases };
  if (total > leases.length) data.warning = `showing ${leases.length} of ${total} irrevocable leases; pass limit=none for all`;
  return data;
}
