/**
 * The embedded default backend: one SQLite file, WAL, synchronous=FULL, so a write that
 * was acknowledged survives a crash of the process (and, with fsync, of the machine).
 *
 * Writes are group-committed: put/delete/transaction queue their ops; one flush per event
 * loop turn runs every queued op in ONE transaction (one fsync) and only then resolves
 * the callers. Reads go straight to the database, so they see every acknowledged write;
 * a write still queued (its promise not yet resolved) may not be visible yet.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { PhysicalBackend, PhysicalOp } from '../types.js';
import { checkKey, checkOps, checkValue } from '../keys.js';
import { walkLevel } from '../list-walk.js';

export interface SqliteOptions {
  /** Most callers committed in one transaction; bounds how long one flush blocks. */
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
  private readonly putStmt: Database.Statement<[string, Buffer]>;
  private readonly delStmt: Database.Statement<[string]>;
  /** Key scans: [exclusive/inclusive start][without/with upper bound]. */
  private readonly scans: Scan[][];
  private readonly commitBatch: (batch: Waiter[]) => void;
  private queue: Waiter[] = [];
  private scheduled = false;
  private closed = false;
  private committed = 0;

  /** Write transactions committed so far; fewer than writes means batching works. */
  get commits(): number {
    return this.committed;
  }

  static open(path: string, opts: SqliteOptions = {}): SqliteBackend {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return new SqliteBackend(new Database(path), opts);
  }

  private constructor(db: Database.Database, opts: SqliteOptions) {
    this.db = db;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 10_000);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    // WITHOUT ROWID: the table is the key's B-tree, so a lookup is one tree walk, not two.
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID');
    this.getStmt = db.prepare<[string], Buffer>('SELECT value FROM kv WHERE key = ?').pluck();
    this.putStmt = db.prepare<[string, Buffer]>(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.delStmt = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
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
    // IMMEDIATE takes the write lock up front: no deadlock-prone upgrade from a read lock.
    const tx = db.transaction((batch: Waiter[]) => {
      for (const w of batch) {
        for (const op of w.ops) {
          if (op.kind === 'put') this.putStmt.run(op.key, op.value);
          else this.delStmt.run(op.key);
        }
      }
    });
    this.commitBatch = (batch) => tx.immediate(batch);
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
    while (this.queue.length > 0) this.flush();
    this.closed = true;
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
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every write issued in this turn joins the batch, and
    // writes arriving while a commit blocks the loop pile up for the next one.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.closed || this.queue.length === 0) return;
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    if (this.queue.length > 0) this.schedule();
    try {
      this.commitBatch(batch);
      this.committed++;
      for (const w of batch) w.resolve();
    } catch {
      // One caller's op broke the shared transaction (rolled back): retry each caller in
      // its own transaction so only the failing ones are rejected.
      for (const w of batch) {
        try {
          this.commitBatch([w]);
          this.committed++;
          w.resolve();
        } catch (err) {
          w.reject(err);
        }
      }
    }
  }
}
