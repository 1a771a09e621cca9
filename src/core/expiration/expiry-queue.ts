/**
 * When things expire: a min-heap of (time, key) behind one timer. A hundred thousand pending
 * leases cost one heap slot and one map entry each, not a hundred thousand Node timers, and
 * re-arming is O(log n). Entries are hints: the owner re-reads the truth (storage) when a
 * key fires, so a stale slot left behind by a reschedule is simply skipped.
 */

interface Slot {
  at: number;
  key: string;
}

export interface ExpiryQueueOptions {
  /** Called for each key whose time has come; a rejection is the owner's to handle. */
  onDue: (key: string) => Promise<void>;
  clock?: () => number;
  /** How many onDue calls may run at once (revocations reach external systems). */
  concurrency?: number;
}

/** setTimeout's ceiling: a later deadline is reached by re-arming. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class ExpiryQueue {
  private readonly heap: Slot[] = [];
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running = 0;
  /** Keys due and waiting for a free slot; `readyHead` avoids O(n) shifts when 100k fire at once. */
  private ready: string[] = [];
  private readyHead = 0;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly onDue: (key: string) => Promise<void>;
  private readonly clock: () => number;
  private readonly concurrency: number;

  constructor(opts: ExpiryQueueOptions) {
    this.onDue = opts.onDue;
    this.clock = opts.clock ?? Date.now;
    this.concurrency = opts.concurrency ?? 32;
  }

  get size(): number {
    return this.due.size;
  }

  /** When `key` fires next, or undefined. */
  when(key: string): number | undefined {
    return this.due.get(key);
  }

  /** Fire `key` at `at` (unix ms), replacing any earlier schedule of it. */
  schedule(key: string, at: number): void {
    if (this.stopped) return;
    this.due.set(key, at);
    this.push({ at, key });
    if (at < this.timerAt) this.arm();
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  /** Stops every timer and forgets every key (seal). Work already running finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap.length = 0;
    this.due.clear();
    this.ready = [];
    this.readyHead = 0;
  }

  /** Waits until nothing is due, running or waiting to run. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.inFlight.size > 0 || this.readyHead < this.ready.length) {
        await Promise.allSettled([...this.inFlight]);
      } else if (!this.stopped && this.heap.length > 0 && this.heap[0]!.at <= this.clock()) {
        await new Promise((resolve) => setTimeout(resolve, 5)); // the timer is about to fire
      } else {
        return;
      }
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const top = this.heap[0];
    if (!top) return;
    this.timerAt = top.at;
    const delay = Math.min(Math.max(top.at - this.clock(), 0), MAX_DELAY_MS);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const slot = this.pop()!;
      // A slot whose key was rescheduled or cancelled since is stale.
      if (this.due.get(slot.key) !== slot.at) continue;
      this.due.delete(slot.key);
      this.ready.push(slot.key);
    }
    this.pump();
    this.arm();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.readyHead < this.ready.length) {
      const key = this.ready[this.readyHead++]!;
      if (this.readyHead === this.ready.length) {
        this.ready = [];
        this.readyHead = 0;
      }
      this.running++;
      const job = this.onDue(key)
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.inFlight.delete(job);
          if (!this.stopped) this.pump();
        });
      this.inFlight.add(job);
    }
  }

  private push(slot: Slot): void {
    const h = this.heap;
    h.push(slot);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= slot.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = slot;
  }

  private pop(): Slot | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[child]!.at >= last.at) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
    return top;
  }
}
