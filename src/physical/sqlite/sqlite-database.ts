/**
 * What the reading connection (main thread) and the writing one (worker thread) share: how
 * the file is opened, the schema, and how a group of callers' ops becomes one transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { PhysicalOp } from '../types.js';

export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is fsynced before it returns, so an acknowledged write survives a crash
  // of the machine, not only of the process.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // WITHOUT ROWID: the table is the key's B-tree, so a lookup is one tree walk, not two.
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID');
  return db;
}

/**
 * Commits each group's ops (one group per caller) in ONE transaction: one fsync for all.
 * When one group breaks the shared transaction (rolled back), each group is retried in its
 * own, so only the failing callers fail. Returns null or the error, per group.
 */
export function groupCommitter(db: Database.Database): (groups: PhysicalOp[][]) => (Error | null)[] {
  const put = db.prepare<[string, Buffer]>('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const del = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
  // IMMEDIATE takes the write lock up front: no deadlock-prone upgrade from a read lock.
  const tx = db.transaction((groups: PhysicalOp[][]) => {
    for (const ops of groups) {
      for (const op of ops) {
        if (op.kind === 'put') put.run(op.key, op.value);
        else del.run(op.key);
      }
    }
  });
  return (groups) => {
    try {
      tx.immediate(groups);
      return groups.map(() => null);
    } catch {
      return groups.map((ops) => {
        try {
          tx.immediate([ops]);
          return null;
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      });
    }
  };
}
