/**
 * Group reads: every `get` issued in one event-loop turn becomes one SELECT. Under
 * concurrency this is what keeps PostgreSQL's per-statement cost (a backend process woken,
 * a plan run, a reply) from dominating: measured with 32 concurrent kv-v2 writers, each of
 * which reads its key's metadata before writing, one statement per read left reads waiting
 * ~6-14 ms for their turn on a busy two-core machine.
 *
 * A read still sees every write acknowledged before it was issued: the batch's SELECT is
 * sent after the read was queued, so after that write's COMMIT.
 */

/** Values of the keys found, by index into `keys`. */
export type FetchMany = (keys: string[]) => Promise<Map<number, Buffer>>;

interface Pending {
  key: string;
  resolve: (value: Buffer | null) => void;
  reject: (err: unknown) => void;
}

export class GroupReader {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly fetchMany: FetchMany,
    private readonly mapError: (err: unknown) => Error,
    /** Most keys in one SELECT. */
    private readonly maxKeys = 1000,
  ) {}

  get(key: string): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    for (let i = 0; i < all.length; i += this.maxKeys) void this.run(all.slice(i, i + this.maxKeys));
  }

  private async run(batch: Pending[]): Promise<void> {
    const index = new Map<string, number>();
    const keys: string[] = [];
    for (const p of batch) {
      if (!index.has(p.key)) index.set(p.key, keys.push(p.key) - 1);
    }
    let found: Map<number, Buffer>;
    try {
      found = await this.fetchMany(keys);
    } catch (err) {
      const mapped = this.mapError(err);
      for (const p of batch) p.reject(mapped);
      return;
    }
    const handedOut = new Set<number>();
    for (const p of batch) {
      const i = index.get(p.key)!;
      const value = found.get(i);
      if (value === undefined) p.resolve(null);
      // Each caller owns its Buffer: a second reader of the same key gets a copy.
      else p.resolve(handedOut.has(i) ? Buffer.from(value) : (handedOut.add(i), value));
    }
  }
}
