/** The writer thread: one connection that commits the batches the main thread sends, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { groupCommitter, openDatabase } from './sqlite-database.js';
import type { WorkerReply, WorkerRequest } from './sqlite-writer.js';

const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
const db = openDatabase(path, busyTimeoutMs);
const commit = groupCommitter(db);

parentPort!.on('message', (req: WorkerRequest) => {
  // Buffers arrive as Uint8Arrays; SQLite stores either as a BLOB.
  const errors = commit(req.groups).map((e) => (e === null ? null : e.message));
  parentPort!.postMessage({ id: req.id, errors } satisfies WorkerReply);
});
