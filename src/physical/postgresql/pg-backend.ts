/**
 * Storage in a PostgreSQL table (Vault's `storage "postgresql"`), for running Coffer on a
 * database that is replicated and backed up as the operator already does it.
 *
 * Reads go straight to the pool. Writes are group-committed (pg-writer.ts) and resolve only
 * after PostgreSQL confirmed the COMMIT, so an acknowledged write is in the database; with
 * PostgreSQL's default synchronous_commit=on that means flushed to its WAL.
 *
 * While the database cannot be reached every call fails with a 503 (pg-errors.ts), and
 * nothing else happens: the pool opens fresh connections on the next call, so service
 * resumes by itself once the server is back. Idle connections that die meanwhile are
 * dropped quietly (an unhandled pool 'error' would end the process).
 */
import pg from 'pg';
import { unavailable } from '../../errors.js';
import type { HaCapable, HaLock, HaNodeInfo } from '../ha-lock.js';
import type { PhysicalBackend, PhysicalOp } from '../types.js';
import { checkKey, checkOps, checkValue, prefixUpperBound } from '../keys.js';
import type { PgStorageConfig } from './pg-config.js';
import { isConnectionFailure, mapPgError } from './pg-errors.js';
import { ensureSchema, fencedWrite, splitKey, statements } from './pg-schema.js';
import { LOCK_KEY, PgHaLock, type PgHaTiming } from './pg-ha-lock.js';
import { GroupReader } from './pg-reader.js';
import { GroupCommitWriter, type WriterOptions } from './pg-writer.js';

// Text columns cannot hold U+0000; refuse such a key up front, to its caller alone.
function checkPgKey(key: unknown): string {
  const k = checkKey(key);
  if (k.includes('\0')) throw new TypeError('physical: key contains a NUL character');
  return k;
}

/** What a write refused by the fence tells its caller (a 503: the client retries, and reaches the new active). */
export const FENCED_MESSAGE = 'this node is no longer the active node (it lost the HA lock): the write was not made; retry the request';

export class PostgresBackend implements PhysicalBackend, HaCapable {
  readonly name = 'postgresql';
  readonly haEnabled: boolean;
  private readonly sql: ReturnType<typeof statements> & { writeFenced?: string };
  /** Set once this node competes for the HA lock: from then on every write is fenced with it. */
  private fence: { identity: string; onFenced: () => void } | undefined;
  private readonly writer: GroupCommitWriter;
  private readonly reader: GroupReader;
  private closed = false;

  /** Connects, creates the tables when missing, and returns the backend. */
  static async open(config: PgStorageConfig, writerOptions?: WriterOptions): Promise<PostgresBackend> {
    const pool = new pg.Pool({
      connectionString: config.connectionUrl,
      max: config.maxParallel,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    pool.on('error', () => undefined); // an idle connection died; the pool has dropped it
    // A connection lost while checked out between statements reports it on the client too;
    // the next statement on it fails and is mapped, so the event itself needs no handling.
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      const client = await pool.connect();
      try {
        await ensureSchema(client, config.table, config.haEnabled ? config.haTable : null);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw mapPgError(err, config.target);
    }
    return new PostgresBackend(pool, config, writerOptions);
  }

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: PgStorageConfig,
    writerOptions?: WriterOptions,
  ) {
    this.haEnabled = config.haEnabled;
    this.sql = config.haEnabled ? { ...statements(config.table), writeFenced: fencedWrite(config.table, config.haTable) } : statements(config.table);
    const mapError = (err: unknown) => mapPgError(err, config.target);
    this.writer = new GroupCommitWriter((ops) => this.commitOps(ops), mapError, {
      maxInFlight: Math.min(8, config.maxParallel),
      ...writerOptions,
    });
    this.reader = new GroupReader((keys) => this.fetchMany(keys), mapError);
  }

  /** The HA lock of this node (`ha_enabled = "true"`); every write is fenced with it from now on. */
  haLock(info: HaNodeInfo, onFenced: () => void, timing?: PgHaTiming): HaLock {
    if (!this.haEnabled) throw new Error('storage "postgresql": ha_enabled is not set');
    if (this.fence) throw new Error('physical/postgresql: this backend already has an HA lock');
    const lock = new PgHaLock(this.config, info, timing);
    this.fence = { identity: lock.identity, onFenced };
    return lock;
  }

  /** Batches committed so far. */
  get commits(): number {
    return this.writer.commits;
  }

  async get(key: string): Promise<Buffer | null> {
    const k = checkPgKey(key);
    if (this.closed) throw new Error('physical/postgresql: backend is closed');
    return this.reader.get(k);
  }

  put(key: string, value: Buffer): Promise<void> {
    return this.enqueue(() => [{ kind: 'put', key: checkPgKey(key), value: checkValue(value) }]);
  }

  delete(key: string): Promise<void> {
    return this.enqueue(() => [{ kind: 'delete', key: checkPgKey(key) }]);
  }

  transaction(ops: PhysicalOp[]): Promise<void> {
    return this.enqueue(() => checkOps(ops).map((op) => (checkPgKey(op.key), op)));
  }

  list(prefix: string): Promise<string[]> {
    return this.page(prefix, '', null);
  }

  listPage(prefix: string, after: string, limit: number): Promise<string[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.page(prefix, after, Math.floor(limit));
  }

  /** Commits everything queued, then closes the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.drain();
    await this.pool.end();
  }

  private async page(prefix: string, after: string, limit: number | null): Promise<string[]> {
    const path = `/${checkPgKey(prefix)}`;
    const nameStart = Array.from(path).length + 1; // substr counts characters, not UTF-16 units
    const params = [path, checkPgKey(after), prefixUpperBound(path), nameStart, limit];
    const res = await this.query<{ e: string }>('listPage', params);
    return res.rows.map((r) => r.e);
  }

  /** node-postgres parses each bytea into a new Buffer: the caller owns it. */
  private async fetchMany(keys: string[]): Promise<Map<number, Buffer>> {
    const rows = keys.map(splitKey);
    if (rows.length === 1) {
      const res = await this.query<{ value: Buffer }>('get', [rows[0]!.path, rows[0]!.key], true);
      return new Map(res.rows.length ? [[0, res.rows[0]!.value]] : []);
    }
    const res = await this.query<{ i: string; value: Buffer }>('getMany', [rows.map((r) => r.path), rows.map((r) => r.key)], true);
    return new Map(res.rows.map((r) => [Number(r.i) - 1, r.value]));
  }

  private async commitOps(ops: PhysicalOp[]): Promise<void> {
    if (ops.length === 0) return;
    const del: [string[], string[]] = [[], []];
    const put: [string[], string[], string[], Buffer[]] = [[], [], [], []];
    for (const op of ops) {
      const row = splitKey(op.key);
      if (op.kind === 'delete') {
        del[0].push(row.path);
        del[1].push(row.key);
      } else {
        put[0].push(row.parentPath);
        put[1].push(row.path);
        put[2].push(row.key);
        put[3].push(op.value);
      }
    }
    if (!this.fence) {
      await this.query('write', [...del, ...put], true);
      return;
    }
    const res = await this.query<{ held: boolean }>('writeFenced', [...del, ...put, LOCK_KEY, this.fence.identity], true);
    if (res.rows[0]?.held !== true) {
      this.fence.onFenced();
      // Unavailable: the writer fails the whole batch with it rather than retry each caller.
      throw unavailable(FENCED_MESSAGE);
    }
  }

  /**
   * One statement on a pooled connection, prepared once per connection (named: parsed and
   * planned once, not per call). Past max_idle_connections, a released connection is
   * closed instead of kept. Errors come back raw when `raw` (the writer decides what a
   * failed batch means) and mapped otherwise.
   */
  private async query<R extends pg.QueryResultRow>(name: keyof PostgresBackend['sql'], values: unknown[], raw = false): Promise<pg.QueryResult<R>> {
    if (this.closed && !raw) throw new Error('physical/postgresql: backend is closed');
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const res = await client.query<R>({ name: `coffer_${name}`, text: this.sql[name]!, values });
      client.release(this.pool.idleCount >= this.config.maxIdleConnections ? true : undefined);
      return res;
    } catch (err) {
      // A connection that failed is closed; one whose statement was refused is still good.
      client?.release(isConnectionFailure(err) ? true : undefined);
      throw raw ? err : mapPgError(err, this.config.target);
    }
  }

  private enqueue(makeOps: () => PhysicalOp[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('physical/postgresql: backend is closed'));
    let ops: PhysicalOp[];
    try {
      ops = makeOps(); // validated and copied now: a bad call fails alone
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.write(ops);
  }
}
