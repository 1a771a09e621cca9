/**
 * Group commit for PostgreSQL. Writes queue; at the end of the event-loop turn everything
 * queued becomes ONE statement (one transaction, one round trip, one WAL flush) and each
 * caller is answered only after its COMMIT returned. Writes arriving meanwhile form the
 * next batch, which may start before the first one finished (`maxInFlight`) unless it
 * touches a key an unfinished batch touches: then it waits, so two writes to one key always
 * commit in the order they were issued.
 *
 * When a batch fails:
 * - the server is gone (connection refused, lost, shut down): every caller in the batch
 *   gets the 503 error; the outcome of a commit cut off mid-way is unknown, so nobody is
 *   told it succeeded — an acknowledged write is one PostgreSQL confirmed.
 * - anything else (one caller's op rejected by the database): each caller's ops are run
 *   again in a transaction of their own, so only the callers whose ops fail are failed.
 * Input errors (bad key or value) never get here: they are thrown when the write is
 * queued, to that caller alone.
 */
import type { PhysicalOp } from '../types.js';
import { isConnectionFailure } from './pg-errors.js';

/** Commits these ops (last op per key already chosen) in one transaction. */
export type CommitOps = (ops: PhysicalOp[]) => Promise<void>;

interface Waiter {
  ops: PhysicalOp[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface WriterOptions {
  /** Most ops in one statement (bounds the statement's size and time). */
  maxBatchOps?: number;
  /** Batches committing at once, on separate connections. */
  maxInFlight?: number;
}

/** The last op per key, in first-seen key order: a batch is atomic, so only its end state matters. */
export function lastOpPerKey(groups: PhysicalOp[][]): PhysicalOp[] {
  const byKey = new Map<string, PhysicalOp>();
  for (const ops of groups) for (const op of ops) byKey.set(op.key, op);
  return [...byKey.values()];
}

export class GroupCommitWriter {
  private queue: Waiter[] = [];
  private scheduled = false;
  /** Keys of each batch still committing. */
  private readonly inFlight = new Set<Set<string>>();
  private readonly idle: (() => void)[] = [];
  private committed = 0;
  private readonly maxBatchOps: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly commitOps: CommitOps,
    /** Turns a database error into the one a caller sees. */
    private readonly mapError: (err: unknown) => Error,
    opts: WriterOptions = {},
  ) {
    this.maxBatchOps = Math.max(1, opts.maxBatchOps ?? 5000);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
  }

  /** Batches committed so far; fewer than writes means batching works. */
  get commits(): number {
    return this.committed;
  }

  write(ops: PhysicalOp[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far has committed or failed. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        this.idle.push(resolve);
        this.schedule();
      });
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every write issued in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.inFlight.size < this.maxInFlight) {
      let ops = 0;
      let n = 0;
      while (n < this.queue.length && (n === 0 || ops + this.queue[n]!.ops.length <= this.maxBatchOps)) ops += this.queue[n++]!.ops.length;
      const batch = this.queue.slice(0, n);
      const keys = new Set<string>();
      for (const w of batch) for (const op of w.ops) keys.add(op.key);
      for (const busy of this.inFlight) for (const k of keys) if (busy.has(k)) return; // wait for it to finish
      this.queue = this.queue.slice(n);
      this.inFlight.add(keys);
      void this.commit(batch).finally(() => {
        this.inFlight.delete(keys);
        if (this.queue.length > 0) this.schedule();
        else if (this.inFlight.size === 0) for (const wake of this.idle.splice(0)) wake();
      });
    }
    if (this.queue.length === 0 && this.inFlight.size === 0) for (const wake of this.idle.splice(0)) wake();
  }

  private async commit(batch: Waiter[]): Promise<void> {
    try {
      await this.commitOps(lastOpPerKey(batch.map((w) => w.ops)));
      this.committed++;
      for (const w of batch) w.resolve();
      return;
    } catch (err) {
      if (batch.length === 1 || isConnectionFailure(err)) {
        const mapped = this.mapError(err);
        for (const w of batch) w.reject(mapped);
        return;
      }
    }
    // One op spoiled the shared statement: find whose, by committing each caller alone.
    for (const w of batch) {
      try {
        await this.commitOps(lastOpPerKey([w.ops]));
        this.committed++;
        w.resolve();
      } catch (err) {
        w.reject(this.mapError(err));
      }
    }
  }
}
