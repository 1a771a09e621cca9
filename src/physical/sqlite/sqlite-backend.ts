/**
 * The embedded default backend: one SQLite file, WAL, synchronous=FULL, so a write that
 * was acknowledged survives a crash of the process (and, with fsync, of the machine).
 *
 * Writes are group-committed: put/delete/transaction queue their ops; one commit at a time
 * runs every queued op in ONE transaction (one fsync), on a writer thread (sqlite-writer.ts),
 * and only then resolves the callers. Writes queued meanwhile form the next batch. Reads go
 * straight to the database on this thread, so they see every acknowledged write; a write
 * still queued (its promise not yet resolved) may not be visible yet.
 */
import type Database from 'better-sqlite3';
import type { PhysicalBackend, PhysicalOp } from '../types.js';
import { checkKey, checkOps, checkValue } from '../keys.js';
import { walkLevel } from '../list-walk.js';
import { openDatabase } from './sqlite-database.js';
import { inThreadWriter, workerWriter, type SqliteWriter } from './sqlite-writer.js';

export interface SqliteOptions {
  /** Most callers committed in one transaction; bounds how long one commit takes. */
  maxBatch?: number;
  /** How long to wait for a lock held by another connection (ms). */
  busyTimeoutMs?: number;
}

interface Waiter {
  ops: PhysicalOp[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

// Bound as (from) or (from, end).
type Scan = Database.Statement<string[], string>;

export class SqliteBackend implements PhysicalBackend {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly maxBatch: number;
  private readonly getStmt: Database.Statement<[string], Buffer>;
  /** Key scans: [exclusive/inclusive start][without/with upper bound]. */
  private readonly scans: Scan[][];
  private readonly writer: SqliteWriter;
  private queue: Waiter[] = [];
  private scheduled = false;
  private committing: Promise<void> | null = null;
  private closed = false;
  private committed = 0;

  /** Write transactions committed so far; fewer than writes means batching works. */
  get commits(): number {
    return this.committed;
  }

  static open(path: string, opts: SqliteOptions = {}): SqliteBackend {
    const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
    const db = openDatabase(path, busyTimeoutMs);
    const writer = path === ':memory:' ? inThreadWriter(db) : workerWriter(path, busyTimeoutMs);
    return new SqliteBackend(db, writer, opts);
  }

  private constructor(db: Database.Database, writer: SqliteWriter, opts: SqliteOptions) {
    this.db = db;
    this.writer = writer;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 10_000);
    this.getStmt = db.prepare<[string], Buffer>('SELECT value FROM kv WHERE key = ?').pluck();
    const scan = (op: string, bounded: boolean): Scan =>
      db
        .prepare<string[], string>(
          `SELECT key FROM kv WHERE key ${op} ?${bounded ? ' AND key < ?' : ''} ORDER BY key`,
        )
        .pluck();
    this.scans = [
      [scan('>', false), scan('>', true)],
      [scan('>=', false), scan('>=', true)],
    ];
  }

  async get(key: string): Promise<Buffer | null> {
    this.assertOpen();
    // better-sqlite3 hands back a fresh Buffer per row, so the caller owns it already.
    return this.getStmt.get(checkKey(key)) ?? null;
  }

  put(key: string, value: Buffer): Promise<void> {
    return this.enqueue(() => [{ kind: 'put', key: checkKey(key), value: checkValue(value) }]);
  }

  delete(key: string): Promise<void> {
    return this.enqueue(() => [{ kind: 'delete', key: checkKey(key) }]);
  }

  transaction(ops: PhysicalOp[]): Promise<void> {
    return this.enqueue(() => checkOps(ops));
  }

  async list(prefix: string): Promise<string[]> {
    this.assertOpen();
    return walkLevel(checkKey(prefix), null, Infinity, this.scan);
  }

  async listPage(prefix: string, after: string, limit: number): Promise<string[]> {
    this.assertOpen();
    return walkLevel(checkKey(prefix), checkKey(after), limit, this.scan);
  }

  /** Commits everything queued, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.committing || this.queue.length > 0) {
      if (this.committing) await this.committing;
      else this.flush();
    }
    this.closed = true;
    await this.writer.close();
    this.db.close();
  }

  // iterate() steps lazily, so the walker reads only rows up to the next folder it seeks past.
  private readonly scan = (from: string, inclusive: boolean, end: string | null): Iterable<string> => {
    const stmt = this.scans[inclusive ? 1 : 0]![end === null ? 0 : 1]!;
    return end === null ? stmt.iterate(from) : stmt.iterate(from, end);
  };

  private assertOpen(): void {
    if (this.closed) throw new Error('physical/sqlite: backend is closed');
  }

  /** Validates and copies now (a bad call fails alone, later caller edits cannot leak in). */
  private enqueue(makeOps: () => PhysicalOp[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.assertOpen();
      this.queue.push({ ops: makeOps(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every write issued in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** One commit at a time; what queues up while it runs is the next batch. */
  private flush(): void {
    if (this.committing || this.queue.length === 0) return;
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    this.committing = this.writer.commit(batch.map((w) => w.ops)).then(
      (errors) => {
        this.committed++;
        errors.forEach((err, i) => (err === null ? batch[i]!.resolve() : batch[i]!.reject(err)));
      },
      (err) => {
        for (const w of batch) w.reject(err);
      },
    ).finally(() => {
      this.committing = null;
      if (this.queue.length > 0) this.schedule();
    });
  }
}
