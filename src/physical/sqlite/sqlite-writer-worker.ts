/** The writer thread: one connection that commits the batches the main thread sends, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { groupCommitter, openDatabase } from './sqlite-database.js';
import { unpack, type WorkerReply, type WorkerRequest } from './sqlite-writer.js';

const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
const db = openDatabase(path, busyTimeoutMs);
const commit = groupCommitter(db);

parentPort!.on('message', (req: WorkerRequest) => {
  const errors = commit(unpack(req)).map((e) => (e === null ? null : e.message));
  parentPort!.postMessage({ id: req.id, errors } satisfies WorkerReply);
});
