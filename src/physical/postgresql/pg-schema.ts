/**
 * The table layout, in Vault's shape so operators find what they know: a storage key
 * `a/b/c` is the row (parent_path '/a/', path '/a/b/', key 'c'). Reading a key is one
 * primary-key lookup on (path, key); the plain keys of a folder are the rows with that
 * `path`. The sub-folders of `/a/` are the rows whose directory lies below it, and those
 * are exactly the rows whose `parent_path` starts with `/a/` — an index range, which a
 * range over `path` alone would not be (it also holds the folder's own keys). That is
 * why `parent_path` is stored.
 *
 * Every text column is COLLATE "C": byte order of UTF-8, the order listings promise.
 */
import type pg from 'pg';

export interface KeyRow {
  parentPath: string;
  path: string;
  key: string;
}

/** Splits a storage key into its row columns. */
export function splitKey(full: string): KeyRow {
  const slash = full.lastIndexOf('/');
  if (slash < 0) return { parentPath: '', path: '/', key: full };
  const dir = full.slice(0, slash); // 'a/b' of 'a/b/c'
  const up = dir.lastIndexOf('/');
  return { parentPath: up < 0 ? '/' : `/${dir.slice(0, up)}/`, path: `/${dir}/`, key: full.slice(slash + 1) };
}

// One lock id for every Coffer creating tables: two nodes starting together must not race
// in CREATE TABLE IF NOT EXISTS (it can fail with a duplicate-type error).
const SCHEMA_LOCK = 0x436f6666; // 'Coff'

/** Creates the tables and index when missing; safe to run from several nodes at once. */
export async function ensureSchema(client: pg.ClientBase, table: string, haTable: string | null): Promise<void> {
  const bare = table.replace(/"/g, '').replace(/\./g, '_');
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
      parent_path TEXT COLLATE "C" NOT NULL,
      path        TEXT COLLATE "C" NOT NULL,
      key         TEXT COLLATE "C" NOT NULL,
      value       BYTEA,
      PRIMARY KEY (path, key)
    )`);
    await client.query(`CREATE INDEX IF NOT EXISTS "${bare}_parent_path_idx" ON ${table} (parent_path)`);
    if (haTable) {
      // The lock table of HA mode (pg-ha-lock.ts): one row per lock, held until valid_until.
      await client.query(`CREATE TABLE IF NOT EXISTS ${haTable} (
        ha_key      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        ha_identity TEXT COLLATE "C" NOT NULL,
        ha_value    TEXT COLLATE "C",
        valid_until TIMESTAMP WITH TIME ZONE NOT NULL
      )`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The statements of one table, built once. */
export function statements(table: string) {
  return {
    get: `SELECT value FROM ${table} WHERE path = $1 AND key = $2`,
    /** Several keys at once ($1 paths, $2 keys): the value of each one found, by its 1-based position. */
    getMany: `SELECT w.i, t.value FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(path, key, i)
      JOIN ${table} t ON t.path = w.path AND t.key = w.key`,
    /**
     * One commit: deletes ($1 paths, $2 keys) and upserts ($3..$6) in one statement, so one
     * round trip and one transaction. The two sets never share a key (the writer keeps only
     * the last op per key), which is what lets both run against the same snapshot.
     */
    write: `WITH gone AS (
        DELETE FROM ${table} t USING unnest($1::text[], $2::text[]) AS d(path, key)
        WHERE t.path = d.path AND t.key = d.key
      )
      INSERT INTO ${table} (parent_path, path, key, value)
      SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::bytea[])
      ON CONFLICT (path, key) DO UPDATE SET value = excluded.value`,
    /**
     * One page of a folder's entries: its keys, and each sub-folder once as `name/`.
     * $1 the folder's path ('/a/'), $2 after, $3 the first string above every path under
     * $1, $4 where names start in a path (1-based, in characters), $5 the limit.
     */
    listPage: `SELECT e FROM (
        SELECT key AS e FROM ${table} WHERE path = $1 AND key > $2 COLLATE "C" AND key <> ''
        UNION
        SELECT split_part(substr(path, $4), '/', 1) || '/' AS e FROM ${table}
        WHERE parent_path >= $1 AND parent_path < $3 AND path > ($1 || $2) COLLATE "C"
      ) entries
      WHERE e > $2 COLLATE "C"
      ORDER BY e COLLATE "C"
      LIMIT $5`,
  };
}

/**
 * The write of `statements(table).write`, fenced by the HA lock ($7 lock key, $8 this
 * node's identity): it changes nothing unless this node holds an unexpired lock, and says
 * whether it did (`held`). The lock row is read FOR SHARE in the same statement, so a node
 * taking the lock over (an UPDATE of that row) waits for this commit, and a write that
 * starts after the takeover sees the new holder: no write of an old active lands after a
 * new one took over, however long the old one was paused.
 */
export function fencedWrite(table: string, haTable: string): string {
  return `WITH fence AS MATERIALIZED (
      SELECT 1 FROM ${haTable} WHERE ha_key = $7 AND ha_identity = $8 AND valid_until > now() FOR SHARE
    ),
    gone AS (
      DELETE FROM ${table} t USING unnest($1::text[], $2::text[]) AS d(path, key)
      WHERE t.path = d.path AND t.key = d.key AND EXISTS (SELECT 1 FROM fence)
    ),
    put AS (
      INSERT INTO ${table} (parent_path, path, key, value)
      SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::bytea[]) WHERE EXISTS (SELECT 1 FROM fence)
      ON CONFLICT (path, key) DO UPDATE SET value = excluded.value
    )
    SELECT EXISTS (SELECT 1 FROM fence) AS held`;
}
