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

export interface WorkerRequest {
  id: number;
  groups: PhysicalOp[][];
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
        worker.postMessage({ id, groups } satisfies WorkerRequest);
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
