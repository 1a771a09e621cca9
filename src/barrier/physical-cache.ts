/**
 * A bounded cache of physical entries, placed between the barrier and the physical backend.
 * It holds ciphertext only (the barrier decrypts on every read), so caching costs no
 * secrecy; it saves the storage round trip on the hot read path.
 *
 * Eviction is second-chance (CLOCK), an approximation of LRU: a hit only marks its entry as
 * used, and eviction, walking from the oldest, gives a used entry one more round (moving it
 * to the end) before evicting it. Moving the entry on every hit instead (delete + set) costs
 * O(size) per hit in V8 once one key is bumped repeatedly: each delete leaves a hole in that
 * key's hash chain until the next rehash (measured: 38 µs per hit at 10,000 entries).
 *
 * Lists are not cached: they are rarer and a stale listing is harder to reason about.
 */
import type { PhysicalBackend, PhysicalOp } from '../physical/types.js';

export interface PhysicalCacheOptions {
  /** Most entries kept (misses count too). Default 10,000. */
  maxEntries?: number;
  /** Most bytes of keys plus values kept. Default 32 MiB. */
  maxBytes?: number;
}

// A cached miss still costs its key and a map slot; this is a rough charge for the slot.
const SLOT_BYTES = 64;

interface Slot {
  value: Buffer | null;
  /** Read since eviction last passed it. */
  used: boolean;
}

export class PhysicalCache implements PhysicalBackend {
  readonly name: string;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  // Map iteration order is insertion order: the first key is the one inserted (or given its
  // second chance) longest ago.
  private readonly entries = new Map<string, Slot>();
  private bytes = 0;
  // Finds the oldest key for eviction. A Map iterator survives inserts and deletes; every
  // key behind it was evicted or moved to the end, so its next key is always the oldest. A fresh iterator per eviction would skip over every deleted slot
  // from the start of the table each time (V8 keeps them until a rehash).
  private oldest: IterableIterator<string> | null = null;
  // Bumped before and after every write. A read that saw it change while it was waiting on
  // the backend may hold a value older than a completed write, so it is not cached.
  private writes = 0;

  constructor(
    private readonly inner: PhysicalBackend,
    options: PhysicalCacheOptions = {},
  ) {
    this.name = inner.name;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    if (!(this.maxEntries >= 0 && this.maxBytes >= 0)) throw new Error('physical cache: limits must be >= 0');
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /**
   * Like get, but a hit returns the cached buffer itself, not a copy: for a caller that only
   * reads the entry (the barrier decrypting it) and never writes to it or keeps it.
   */
  async getShared(key: string): Promise<Buffer | null> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      hit.used = true;
      return hit.value;
    }
    return this.get(key);
  }

  async get(key: string): Promise<Buffer | null> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      hit.used = true;
      return hit.value === null ? null : Buffer.from(hit.value);
    }
    const before = this.writes;
    const value = await this.inner.get(key);
    if (this.writes === before) this.remember(key, value === null ? null : Buffer.from(value));
    return value;
  }

  async put(key: string, value: Buffer): Promise<void> {
    this.writes++;
    this.forget(key);
    try {
      await this.inner.put(key, value);
      // Copied: the caller may reuse or zero its buffer.
      this.remember(key, Buffer.from(value));
    } finally {
      this.writes++;
    }
  }

  async delete(key: string): Promise<void> {
    this.writes++;
    this.forget(key);
    try {
      await this.inner.delete(key);
      this.remember(key, null);
    } finally {
      this.writes++;
    }
  }

  async transaction(ops: PhysicalOp[]): Promise<void> {
    this.writes++;
    for (const op of ops) this.forget(op.key);
    try {
      // Not refilled afterwards: the next read fetches the committed value.
      await this.inner.transaction(ops);
    } finally {
      this.writes++;
    }
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  listPage(prefix: string, after: string, limit: number): Promise<string[]> {
    return this.inner.listPage(prefix, after, limit);
  }

  /** Drops everything (on seal: nothing from the unsealed period stays in memory). */
  clear(): void {
    for (const slot of this.entries.values()) slot.value?.fill(0);
    this.entries.clear();
    this.oldest = null;
    this.bytes = 0;
  }

  close(): Promise<void> {
    this.clear();
    return this.inner.close();
  }

  private cost(key: string, value: Buffer | null): number {
    return key.length * 2 + (value?.length ?? 0) + SLOT_BYTES;
  }

  private remember(key: string, value: Buffer | null): void {
    this.forget(key);
    const cost = this.cost(key, value);
    // One huge value would evict everything else for a single entry; let it pass through.
    if (this.maxEntries === 0 || cost > this.maxBytes / 4) return;
    this.entries.set(key, { value, used: false });
    this.bytes += cost;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.oldestKey();
      const slot = this.entries.get(oldest)!;
      if (slot.used && oldest !== key) {
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
    this.bytes -= this.cost(key, slot.value);
    this.entries.delete(key);
  }
}
