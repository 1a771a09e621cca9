/**
 * In-memory physical backend for tests and dev mode. Values live in a Map; listing uses a
 * sorted key array kept in SQLite's byte order so both backends list identically.
 */
import type { PhysicalBackend, PhysicalOp } from '../types.js';
import { checkKey, checkOps, checkValue, compareKeys } from '../keys.js';
import { walkLevel } from '../list-walk.js';

// Up to this many new keys are spliced into the sorted array one by one (a memmove each);
// more are sorted together and merged in one pass, so bulk loads stay O(n log n).
const SPLICE_LIMIT = 32;

class InmemStore {
  private readonly values = new Map<string, Buffer>();
  /** Sorted keys; may still hold deleted keys ("stale"), skipped on read, dropped on merge. */
  private sorted: string[] = [];
  /** Keys added since the last read that needed order; may repeat. */
  private pending: string[] = [];
  private stale = 0;

  get(key: string): Buffer | null {
    const v = this.values.get(key);
    return v === undefined ? null : Buffer.from(v);
  }

  /** `value` must already be a private copy. */
  put(key: string, value: Buffer): void {
    if (!this.values.has(key)) this.pending.push(key);
    this.values.set(key, value);
  }

  delete(key: string): void {
    if (this.values.delete(key)) this.stale++;
  }

  apply(ops: PhysicalOp[]): void {
    for (const op of ops) {
      if (op.kind === 'put') this.put(op.key, op.value);
      else this.delete(op.key);
    }
  }

  list(prefix: string, after: string | null, limit: number): string[] {
    this.settle();
    return walkLevel(prefix, after, limit, (from, inclusive, end) => this.scan(from, inclusive, end));
  }

  private *scan(from: string, inclusive: boolean, end: string | null): Generator<string> {
    const keys = this.sorted;
    for (let i = this.lowerBound(from, inclusive); i < keys.length; i++) {
      const key = keys[i]!;
      if (end !== null && compareKeys(key, end) >= 0) return;
      if (this.values.has(key)) yield key;
    }
  }

  /** First index whose key is >= `from` (inclusive) or > `from`. */
  private lowerBound(from: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.sorted[mid]!, from);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Brings `sorted` up to date; lazy, so a run of writes costs nothing until a list. */
  private settle(): void {
    const pending = this.pending;
    if (pending.length > 0 && pending.length <= SPLICE_LIMIT && this.stale <= this.sorted.length / 2) {
      for (const key of pending) {
        const i = this.lowerBound(key, true);
        if (this.sorted[i] !== key) this.sorted.splice(i, 0, key);
      }
      this.pending = [];
    } else if (pending.length > 0 || (this.stale > 1024 && this.stale > this.sorted.length / 2)) {
      this.merge(pending.sort(compareKeys));
      this.pending = [];
    }
  }

  /** Merges sorted `added` into `sorted`, dropping duplicates and deleted keys. */
  private merge(added: string[]): void {
    const a = this.sorted;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < added.length) {
      let key: string;
      if (j >= added.length || (i < a.length && compareKeys(a[i]!, added[j]!) <= 0)) key = a[i++]!;
      else key = added[j++]!;
      if (out.length > 0 && out[out.length - 1] === key) continue;
      if (this.values.has(key)) out.push(key);
    }
    this.sorted = out;
    this.stale = 0;
  }
}

export function createInmemBackend(): PhysicalBackend {
  const store = new InmemStore();
  let closed = false;
  // Async methods turn a thrown validation error into a rejected promise, like SQLite's.
  const open = (): void => {
    if (closed) throw new Error('physical/inmem: backend is closed');
  };
  return {
    name: 'inmem',
    async get(key) {
      open();
      return store.get(checkKey(key));
    },
    async put(key, value) {
      open();
      store.put(checkKey(key), checkValue(value));
    },
    async delete(key) {
      open();
      store.delete(checkKey(key));
    },
    async list(prefix) {
      open();
      return store.list(checkKey(prefix), null, Infinity);
    },
    async listPage(prefix, after, limit) {
      open();
      return store.list(checkKey(prefix), checkKey(after), limit);
    },
    async transaction(ops) {
      open();
      store.apply(checkOps(ops)); // validated in full first, so a bad op applies nothing
    },
    async close() {
      closed = true;
    },
  };
}
