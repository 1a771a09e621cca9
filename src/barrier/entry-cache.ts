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
  /** Keys whose last write is remembered before the records are pruned. Default 10,000. */
  maxTrackedWrites?: number;
}

// A cached miss still costs its key and a map slot; this is a rough charge for the slot.
const SLOT_BYTES = 64;

interface KeyWrites {
  inFlight: number;
  last: number;
}

/** What `beginWrite` hands back for `endWrite`. */
export interface WriteTicket {
  readonly stamp: number;
  readonly keys: readonly string[];
}

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
  // Bumped when a write starts or ends: a read's stamp is its value when the read began.
  private seq = 0;
  // Reads stamped before this are not kept: the cache was cleared (a seal), or the write
  // records below were pruned, since they began.
  private floor = 0;
  // Per key written since the last prune: writes of it under way, and when one last began
  // or ended. A read of K is kept only if no write of K was under way or came after the
  // read began; writes of other keys do not matter to it. Tracking this per key (not "any
  // write under way") is what lets reads hit the cache under a steady write load.
  private readonly writing = new Map<string, KeyWrites>();
  // A write begun before the last clear stores nothing here: its value is from before the seal.
  private clearedAt = 0;
  private pruneAt: number;

  constructor(options: EntryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    if (!(this.maxEntries >= 0 && this.maxBytes >= 0)) throw new Error('entry cache: limits must be >= 0');
    this.pruneAt = options.maxTrackedWrites ?? 10_000;
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
    return this.seq;
  }

  /** Keeps a copy of what a read found, unless a write of `key` was under way or began since `stamp`. */
  fill(key: string, value: Buffer | null, stamp: number): void {
    if (stamp < this.floor) return;
    const w = this.writing.get(key);
    if (w !== undefined && (w.inFlight > 0 || w.last > stamp)) return;
    this.remember(key, value === null ? null : Buffer.from(value));
  }

  /** Before writing `keys`: they are forgotten now. Hand the ticket to `endWrite`. */
  beginWrite(keys: Iterable<string>): WriteTicket {
    const stamp = ++this.seq;
    // Most writes are of one key: no Set for those.
    const unique = Array.isArray(keys) && keys.length === 1 ? (keys as string[]) : [...new Set(keys)];
    for (const key of unique) {
      this.forget(key);
      const w = this.writing.get(key);
      if (w === undefined) this.writing.set(key, { inFlight: 1, last: stamp });
      else {
        w.inFlight++;
        w.last = stamp;
      }
    }
    return { stamp, keys: unique };
  }

  /**
   * After a write, whether it succeeded or not (`undefined` when it failed): keeps what it
   * stored (`null` for a delete) for each key no other write of overlapped, as their order
   * in storage is then unknown. The buffers become the cache's: kept or zeroed.
   */
  endWrite(ticket: WriteTicket, stored?: ReadonlyArray<[key: string, value: Buffer | null]>): void {
    const end = ++this.seq;
    const alone = new Set<string>();
    for (const key of ticket.keys) {
      const w = this.writing.get(key)!;
      if (w.inFlight === 1 && w.last === ticket.stamp && ticket.stamp > this.clearedAt) alone.add(key);
      w.inFlight--;
      w.last = end;
    }
    for (const [key, value] of stored ?? []) {
      if (alone.has(key)) this.remember(key, value);
      else value?.fill(0);
    }
    if (this.writing.size > this.pruneAt) this.prune();
  }

  /** Forgets the records of finished writes; reads begun before now are then not kept. */
  private prune(): void {
    this.floor = this.seq;
    for (const [key, w] of this.writing) if (w.inFlight === 0) this.writing.delete(key);
    this.pruneAt = Math.max(this.pruneAt, this.writing.size * 2);
  }

  /** Zeroes and drops everything (on seal: nothing from the unsealed period stays in memory). */
  clear(): void {
    for (const slot of this.entries.values()) slot.value?.fill(0);
    this.entries.clear();
    this.oldest = null;
    this.bytes = 0;
    this.clearedAt = ++this.seq;
    this.prune();
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
