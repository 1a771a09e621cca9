/**
 * A bounded cache of decrypted entries, kept by the barrier: a hot read costs a map lookup
 * and a copy instead of a storage round trip and an AES-GCM open. Measured here, creating
 * a decipher in Node costs ~5 µs, so a kv-v2 read (metadata and version: two entries) paid
 * ~10 µs of a ~14 µs budget before this cache (bench/RESULTS.md).
 *
 * It holds plaintext, so it lives and dies with the keyring: cleared and zeroed on seal,
 * and every evicted or replaced value is zeroed. While unsealed, whoever can read this
 * process's memory can read the keyring too, so caching plaintext opens nothing new.
 * Callers get copies: a caller that zeroes or edits its buffer cannot touch the cache.
 *
 * Eviction is second-chance (CLOCK), an approximation of LRU: a hit only marks its entry as
 * used, and eviction, walking from the oldest, gives a used entry one more round (moving it
 * to the end) before evicting it. Moving the entry on every hit instead (delete + set) costs
 * O(size) per hit in V8 once one key is bumped repeatedly: each delete leaves a hole in that
 * key's hash chain until the next rehash (measured: 38 µs per hit at 10,000 entries).
 *
 * Lists are not cached: they are rarer and a stale listing is harder to reason about.
 */

import { deepFreeze } from '../logical/storage.js';

export interface EntryCacheOptions {
  /** Most entries kept (misses count too). Default 10,000. */
  maxEntries?: number;
  /** Most bytes of keys plus values kept. Default 32 MiB. */
  maxBytes?: number;
}

// A cached miss still costs its key and a map slot; this is a rough charge for the slot.
const SLOT_BYTES = 64;

interface Slot {
  value: Buffer | null;
  /** Bytes charged against the budget: key, value, slot, and the parsed form once made. */
  cost: number;
  /** The value parsed as JSON and deeply frozen, once a reader asked for it. */
  parsed?: unknown;
  /** Read since eviction last passed it. */
  used: boolean;
}

export class EntryCache {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  // Map iteration order is insertion order: the first key is the one inserted (or given its
  // second chance) longest ago.
  private readonly entries = new Map<string, Slot>();
  private bytes = 0;
  // Finds the oldest key for eviction. A Map iterator survives inserts and deletes; every
  // key behind it was evicted or moved to the end, so its next key is always the oldest. A
  // fresh iterator per eviction would skip over every deleted slot from the start of the
  // table each time (V8 keeps them until a rehash).
  private oldest: IterableIterator<string> | null = null;
  // Bumped when a write starts, when it ends, and on clear. A value read from storage (or
  // written) while it changed may be older than a completed write, so it is not kept.
  private writes = 0;
  // Writes under way. While one is, a read may see the old value or the new one.
  private inFlight = 0;

  constructor(options: EntryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    if (!(this.maxEntries >= 0 && this.maxBytes >= 0)) throw new Error('entry cache: limits must be >= 0');
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** A copy of the cached value; null when cached as absent; undefined when not cached. */
  get(key: string): Buffer | null | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    hit.used = true;
    return hit.value === null ? null : Buffer.from(hit.value);
  }

  /**
   * The cached value parsed as JSON, deeply frozen and shared by every caller: parsed once,
   * not per read. null when cached as absent; undefined when not cached.
   */
  getParsed(key: string): unknown {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    hit.used = true;
    if (hit.value === null) return null;
    if (hit.parsed === undefined) {
      const parsed = deepFreeze(JSON.parse(hit.value.toString('utf8')));
      hit.parsed = parsed;
      // A parsed object takes about twice its JSON text in the heap: charged against the
      // budget like the rest (this entry, just read, gets its second chance).
      const extra = hit.value.length * 2;
      hit.cost += extra;
      this.bytes += extra;
      this.evictOverBudget(null);
      return parsed;
    }
    return hit.parsed;
  }

  /** Taken before reading storage; hand it to `fill` with what the read found. */
  stamp(): number {
    return this.writes;
  }

  /** Keeps a copy of what a read found, unless a write was under way or began since `stamp`. */
  fill(key: string, value: Buffer | null, stamp: number): void {
    if (stamp === this.writes && this.inFlight === 0) this.remember(key, value === null ? null : Buffer.from(value));
  }

  /** Before writing `keys`: they are forgotten now. Returns the stamp for `endWrite`. */
  beginWrite(keys: Iterable<string>): number {
    for (const key of keys) this.forget(key);
    this.inFlight++;
    return ++this.writes;
  }

  /**
   * After a write, whether it succeeded or not (`undefined` when it failed): keeps what it
   * stored (`null` for a delete), unless another write overlapped it, as their order in
   * storage is then unknown. The buffers become the cache's: kept or zeroed.
   */
  endWrite(stamp: number, stored?: ReadonlyArray<[key: string, value: Buffer | null]>): void {
    const alone = stamp === this.writes && this.inFlight === 1;
    this.inFlight--;
    this.writes++;
    if (!stored) return;
    for (const [key, value] of stored) {
      if (alone) this.remember(key, value);
      else value?.fill(0);
    }
  }

  /** Zeroes and drops everything (on seal: nothing from the unsealed period stays in memory). */
  clear(): void {
    for (const slot of this.entries.values()) slot.value?.fill(0);
    this.entries.clear();
    this.oldest = null;
    this.bytes = 0;
    this.writes++;
  }

  private cost(key: string, value: Buffer | null): number {
    return key.length * 2 + (value?.length ?? 0) + SLOT_BYTES;
  }

  private remember(key: string, value: Buffer | null): void {
    this.forget(key);
    const cost = this.cost(key, value);
    // One huge value would evict everything else for a single entry; let it pass through.
    if (this.maxEntries === 0 || cost > this.maxBytes / 4) {
      value?.fill(0);
      return;
    }
    this.entries.set(key, { value, cost, used: false });
    this.bytes += cost;
    this.evictOverBudget(key);
  }

  /** Evicts until within both limits; entries read since the last pass (but `fresh`) get a second chance. */
  private evictOverBudget(fresh: string | null): void {
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.oldestKey();
      const slot = this.entries.get(oldest)!;
      if (slot.used && oldest !== fresh) {
        // Second chance: to the end, unmarked. Each entry moves at most once per pass.
        slot.used = false;
        this.entries.delete(oldest);
        this.entries.set(oldest, slot);
      } else {
        this.forget(oldest);
      }
    }
  }

  private oldestKey(): string {
    let next = this.oldest?.next();
    if (next === undefined || next.done) {
      this.oldest = this.entries.keys();
      next = this.oldest.next();
    }
    return next.value as string;
  }

  private forget(key: string): void {
    const slot = this.entries.get(key);
    if (slot === undefined) return;
    this.bytes -= slot.cost;
    slot.value?.fill(0);
    this.entries.delete(key);
  }
}
