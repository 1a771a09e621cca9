/**
 * Where commits run. A commit waits for its fsync (and now and then a WAL checkpoint):
 * on the main thread that wait stopped every request, reads included, for its whole length
 * (measured: ~0.2 ms a commit, more with a checkpoint; AppRole logins spent a third of their
 * time there). A worker thread with its own connection commits instead, and the main thread
 * goes on serving and gathering the next batch. `:memory:` databases cannot be shared
 * between connections, so they commit in the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { PhysicalOp } from '../types.js';
import { groupCommitter } from './sqlite-database.js';

export interface SqliteWriter {
  /** Commits the groups in one transaction; null or the error for each group. */
  commit(groups: PhysicalOp[][]): Promise<(Error | null)[]>;
  close(): Promise<void>;
}

export function inThreadWriter(db: Database.Database): SqliteWriter {
  const commit = groupCommitter(db);
  return { commit: async (groups) => commit(groups), close: async () => undefined };
}

/**
 * A batch on its way to the writer: every value packed into one transferred ArrayBuffer.
 * Posting the ops as they are would copy each value's whole backing store: small Buffers
 * are views into node's shared 8 KiB pool, and structured clone copies all of it, per value
 * (measured: ~8 µs of an AppRole login).
 */
export interface WorkerRequest {
  id: number;
  /** Per group, its ops: [key, start, end] for a put of data[start, end), [key] for a delete. */
  groups: ([string, number, number] | [string])[][];
  data: ArrayBuffer;
}

function pack(id: number, groups: PhysicalOp[][]): WorkerRequest {
  let total = 0;
  for (const ops of groups) for (const op of ops) if (op.kind === 'put') total += op.value.length;
  const data = new ArrayBuffer(total);
  const bytes = new Uint8Array(data);
  let at = 0;
  const packed = groups.map((ops) =>
    ops.map((op): [string, number, number] | [string] => {
      if (op.kind === 'delete') return [op.key];
      bytes.set(op.value, at);
      at += op.value.length;
      return [op.key, at - op.value.length, at];
    }),
  );
  return { id, groups: packed, data };
}

/** The worker's side of `pack`: values are views into the one buffer. */
export function unpack(req: WorkerRequest): PhysicalOp[][] {
  const data = Buffer.from(req.data);
  return req.groups.map((ops) =>
    ops.map((op): PhysicalOp => (op.length === 1 ? { kind: 'delete', key: op[0] } : { kind: 'put', key: op[0], value: data.subarray(op[1], op[2]) })),
  );
}

export interface WorkerReply {
  id: number;
  /** null, or the message of the error that group hit */
  errors: (string | null)[];
}

export function workerWriter(path: string, busyTimeoutMs: number): SqliteWriter {
  const worker = new Worker(new URL('./sqlite-writer-worker.js', import.meta.url), { workerData: { path, busyTimeoutMs } });
  const pending = new Map<number, { resolve: (errors: (Error | null)[]) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  let broken: Error | null = null;
  const failAll = (err: Error) => {
    broken ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    p.resolve(reply.errors.map((e) => (e === null ? null : new Error(e))));
  });
  worker.on('error', (err) => failAll(new Error(`physical/sqlite: the writer thread failed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new Error(`physical/sqlite: the writer thread exited (code ${code})`)));
  // Only a write in flight keeps the process alive, as a pending fsync would.
  worker.unref();

  return {
    commit(groups) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) worker.ref();
        const message = pack(id, groups);
        worker.postMessage(message, [message.data]);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      }) as Promise<(Error | null)[]>;
    },
    async close() {
      if (broken) return;
      broken = new Error('physical/sqlite: backend is closed');
      await worker.terminate();
    },
  };
}
