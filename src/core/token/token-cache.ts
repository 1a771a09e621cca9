/**
 * The in-memory side of the token store: hashed id → entry and accessor → hashed id, filled
 * from storage on a miss, plus the bookkeeping that keeps it from ever serving a revoked
 * token: a set of revocations in progress, and per-id read tickets that a revocation (or a
 * clear on seal) marks stale so a storage read that raced it is redone instead of cached.
 *
 * The map key is HMAC-SHA256(salt, token). Timing of a map or storage probe therefore leaks
 * nothing useful: a guess that shares a prefix with a real token does not share anything
 * with that token's key, and the salt that would let one compute keys never leaves memory.
 */
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TokenEntry } from './token-entry.js';

export class TokenCache {
  private readonly byHash = new Map<string, TokenEntry>();
  private readonly byAccessor = new Map<string, string>();
  private readonly revoking = new Set<string>();
  private readonly loads = new Map<string, Set<{ stale: boolean }>>();
  /** Writes to one entry reach storage in the order they were made. */
  private readonly writeChains = new Map<string, Promise<void>>();

  constructor(private readonly storage: Storage) {}

  get(h: string): TokenEntry | undefined {
    return this.byHash.get(h);
  }

  hashForAccessor(accessor: string): string | undefined {
    return this.byAccessor.get(accessor);
  }

  values(): TokenEntry[] {
    return [...this.byHash.values()];
  }

  index(entry: TokenEntry): void {
    this.byHash.set(entry.hashedId, entry);
    this.byAccessor.set(entry.accessor, entry.hashedId);
  }

  isRevoking(h: string): boolean {
    return this.revoking.has(h);
  }

  /** From here until `endRevoke`, the id is neither served nor read back into memory. */
  beginRevoke(h: string): TokenEntry | undefined {
    this.revoking.add(h);
    this.markStale(h);
    const cached = this.byHash.get(h);
    this.byHash.delete(h);
    if (cached) this.byAccessor.delete(cached.accessor);
    return cached;
  }

  endRevoke(h: string, accessor?: string): void {
    if (accessor !== undefined && this.byAccessor.get(accessor) === h) this.byAccessor.delete(accessor);
    this.revoking.delete(h);
    this.markStale(h);
  }

  /** The entry from memory, or from storage (then remembered). Null when absent or being revoked. */
  async load(h: string): Promise<TokenEntry | null> {
    for (;;) {
      const cached = this.byHash.get(h);
      if (cached) return cached;
      if (this.revoking.has(h)) return null;
      const ticket = { stale: false };
      let tickets = this.loads.get(h);
      if (!tickets) this.loads.set(h, (tickets = new Set()));
      tickets.add(ticket);
      let entry: TokenEntry | null;
      try {
        entry = await getJson<TokenEntry>(this.storage, `id/${h}`);
      } finally {
        tickets.delete(ticket);
        if (tickets.size === 0 && this.loads.get(h) === tickets) this.loads.delete(h);
      }
      if (this.revoking.has(h)) return null;
      if (ticket.stale) continue; // a revocation or clear() ran meanwhile: read again
      const raced = this.byHash.get(h);
      if (raced) return raced;
      if (entry) this.index(entry);
      return entry;
    }
  }

  /** Persists an entry (or deletes it with null), after any earlier write to the same id. */
  write(h: string, entry: TokenEntry | null): Promise<void> {
    const key = `id/${h}`;
    const apply = () => (entry ? putJson(this.storage, key, entry) : this.storage.delete(key));
    const op = (this.writeChains.get(key) ?? Promise.resolve()).then(apply, apply);
    this.writeChains.set(key, op);
    const done = () => {
      if (this.writeChains.get(key) === op) this.writeChains.delete(key);
    };
    op.then(done, done);
    return op;
  }

  /** Forgets every entry (seal). Reads in flight will not refill the map. */
  clear(): void {
    this.byHash.clear();
    this.byAccessor.clear();
    for (const tickets of this.loads.values()) for (const t of tickets) t.stale = true;
  }

  private markStale(h: string): void {
    for (const t of this.loads.get(h) ?? []) t.stale = true;
  }
}

/** Every entry one level below `prefix`, read page by page. */
export async function listAllKeys(storage: Storage, prefix: string, page = 1000): Promise<string[]> {
  const out: string[] = [];
  for (let after = ''; ;) {
    const batch = await storage.listPage(prefix, after, page);
    out.push(...batch);
    if (batch.length < page) return out;
    after = batch[batch.length - 1]!;
  }
}
