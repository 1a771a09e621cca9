/**
 * Copying every entry of one physical backend into another (`coffer operator migrate`),
 * as stored: values stay barrier-encrypted, and since an entry's storage path is its
 * additional authenticated data and the keys do not change, the copy unseals with the same
 * unseal keys and decrypts the same.
 *
 * As in Vault, the source carries a lock entry while a migration runs (`core/migration`,
 * `{"start": <time>}`): a second migration refuses to start, a server refuses to start on
 * storage being migrated, and `-reset` clears a lock left by a migration that was killed.
 * The lock is never copied. Keys already in the destination are overwritten; keys only in
 * the destination stay.
 *
 * The walk pages through each folder (listPage), so memory stays bounded by one page per
 * folder level plus one batch of values, whatever the store's size. Keys come in byte
 * order, which is what `-start` compares against.
 */
import { compareKeys, prefixUpperBound } from '../physical/keys.js';
import { openPhysical } from '../physical/registry.js';
import type { PhysicalBackend, PhysicalOp } from '../physical/types.js';
import { SEAL_CONFIG_PATH } from '../seal/seal-store.js';

export type { PhysicalBackend };
export { openPhysical };

export const MIGRATION_LOCK_PATH = 'core/migration';

export interface MigrationLock {
  start: string;
}

/** The lock a running (or killed) migration left in `backend`, or null. */
export async function readMigrationLock(backend: PhysicalBackend): Promise<MigrationLock | null> {
  const raw = await backend.get(MIGRATION_LOCK_PATH);
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as { start?: unknown };
    return { start: typeof parsed.start === 'string' ? parsed.start : 'unknown' };
  } catch {
    return { start: 'unknown' };
  }
}

export async function setMigrationLock(backend: PhysicalBackend, now = new Date()): Promise<void> {
  await backend.put(MIGRATION_LOCK_PATH, Buffer.from(JSON.stringify({ start: now.toISOString() }), 'utf8'));
}

export async function clearMigrationLock(backend: PhysicalBackend): Promise<void> {
  await backend.delete(MIGRATION_LOCK_PATH);
}

export async function isInitialized(backend: PhysicalBackend): Promise<boolean> {
  return (await backend.get(SEAL_CONFIG_PATH)) !== null;
}

export interface CopyOptions {
  /** Copy only keys sorting at or after this one (byte order), as Vault's `-start`. */
  start?: string;
  /** Entries per listPage call. */
  pageSize?: number;
  /** Ops per destination transaction. */
  batchSize?: number;
  /** Source reads in flight at once. */
  maxParallel?: number;
  /** Called after each batch lands, with the keys copied so far and the last one. */
  onProgress?: (copied: number, lastKey: string) => void;
  /** Stops the copy between batches (Ctrl-C): what landed stays, and the error says where to resume. */
  signal?: AbortSignal;
}

export class MigrationInterrupted extends Error {
  constructor(
    readonly copied: number,
    /** The first key not copied: the `-start` that resumes the migration. */
    readonly resumeAt: string,
  ) {
    super(`interrupted after ${copied} keys copied; resume with -start=${JSON.stringify(resumeAt)}`);
  }
}

/** Every key of `backend` in byte order, from `start` on, one listPage at a time. */
export async function* walkKeys(backend: PhysicalBackend, start = '', pageSize = 1000, prefix = ''): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const page = await backend.listPage(prefix, after, pageSize);
    for (const entry of page) {
      const full = prefix + entry;
      if (entry.endsWith('/')) {
        // A folder all of whose keys sort before `start` is skipped unread.
        const end = prefixUpperBound(full);
        if (start !== '' && end !== null && compareKeys(end, start) <= 0) continue;
        yield* walkKeys(backend, start, pageSize, full);
      } else if (start === '' || compareKeys(full, start) >= 0) {
        yield full;
      }
    }
    if (page.length < pageSize) return;
    after = page[page.length - 1]!;
  }
}

/** Reads `keys` from `from`, at most `parallel` at a time; keys deleted meanwhile are left out. */
async function readAll(from: PhysicalBackend, keys: string[], parallel: number): Promise<PhysicalOp[]> {
  const values: (Buffer | null)[] = new Array(keys.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      values[i] = await from.get(keys[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, keys.length) }, worker));
  const ops: PhysicalOp[] = [];
  keys.forEach((key, i) => {
    const value = values[i];
    if (value !== null && value !== undefined) ops.push({ kind: 'put', key, value });
  });
  return ops;
}

/** Copies every key but the migration lock; returns how many were copied. */
export async function copyAll(from: PhysicalBackend, to: PhysicalBackend, opts: CopyOptions = {}): Promise<number> {
  const batchSize = opts.batchSize ?? 500;
  const parallel = Math.max(1, opts.maxParallel ?? 10);
  let copied = 0;
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const ops = await readAll(from, pending, parallel);
    if (ops.length > 0) await to.transaction(ops);
    copied += ops.length;
    opts.onProgress?.(copied, pending[pending.length - 1]!);
    pending = [];
  };
  for await (const key of walkKeys(from, opts.start ?? '', opts.pageSize ?? 1000)) {
    if (key === MIGRATION_LOCK_PATH) continue;
    if (opts.signal?.aborted) throw new MigrationInterrupted(copied, pending[0] ?? key);
    pending.push(key);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return copied;
}
