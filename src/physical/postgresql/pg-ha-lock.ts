/**
 * The HA lock in PostgreSQL (`ha_table`, Vault's `vault_ha_locks` layout): one row per lock,
 * held by `ha_identity` until `valid_until`. Taking a free or expired row and renewing one's
 * own are the same upsert, so there is no window between "it expired" and "I took it" that
 * two nodes could both walk through. Standbys keep a heartbeat row of their own beside it,
 * which sys/ha-status reads.
 *
 * The lock has its own two-connection pool: a renewal must not wait behind a burst of writes
 * for a connection, or a busy active would lose its lock to its own load. Every statement
 * has a timeout shorter than the lock's TTL, so a database that stopped answering (rather
 * than refusing) still lets the holder notice in time that it can no longer renew.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { HaHolder, HaLock, HaNodeInfo, HaPeer } from '../ha-lock.js';
import type { PgStorageConfig } from './pg-config.js';
import { mapPgError } from './pg-errors.js';

export const LOCK_KEY = 'core/lock';
const NODE_PREFIX = 'core/node/';
/** Long enough that a node seen in the last few renewals is still listed. */
const NODE_TTL_MS = 30_000;

export interface PgHaTiming {
  ttlMs: number;
  /** Each statement's limit; below the TTL so a hung database is noticed before the lock ends. */
  queryTimeoutMs: number;
}

const DEFAULT_HA_TIMING: PgHaTiming = { ttlMs: 5_000, queryTimeoutMs: 2_000 };

function haStatements(haTable: string) {
  return {
    /** $1 key, $2 identity, $3 value, $4 ttl ms: the identity holding the row afterwards (none when another does). */
    acquire: `INSERT INTO ${haTable} AS h (ha_key, ha_identity, ha_value, valid_until)
      VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
      ON CONFLICT (ha_key) DO UPDATE SET ha_identity = excluded.ha_identity, ha_value = excluded.ha_value, valid_until = excluded.valid_until
      WHERE h.valid_until < now() OR h.ha_identity = excluded.ha_identity
      RETURNING ha_identity`,
    release: `DELETE FROM ${haTable} WHERE ha_key = $1 AND ha_identity = $2`,
    holder: `SELECT ha_identity, ha_value, (extract(epoch FROM valid_until) * 1000)::float8 AS until
      FROM ${haTable} WHERE ha_key = $1 AND valid_until > now()`,
    /** A node's heartbeat row: valid_until is the echo plus NODE_TTL_MS. */
    heartbeat: `INSERT INTO ${haTable} (ha_key, ha_identity, ha_value, valid_until)
      VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
      ON CONFLICT (ha_key) DO UPDATE SET ha_identity = excluded.ha_identity, ha_value = excluded.ha_value, valid_until = excluded.valid_until`,
    peers: `SELECT ha_identity, ha_value, (extract(epoch FROM valid_until) * 1000)::float8 AS until
      FROM ${haTable} WHERE ha_key LIKE $1 AND valid_until > now()`,
    /** Heartbeat rows of nodes gone for an hour; kept that long so a flapping node is visible. */
    prune: `DELETE FROM ${haTable} WHERE ha_key LIKE $1 AND valid_until < now() - interval '1 hour'`,
  };
}

function parseInfo(value: string | null): HaNodeInfo {
  try {
    const v = JSON.parse(value ?? '{}') as Partial<HaNodeInfo>;
    return { hostname: String(v.hostname ?? ''), apiAddr: String(v.apiAddr ?? ''), clusterAddr: String(v.clusterAddr ?? '') };
  } catch {
    return { hostname: '', apiAddr: '', clusterAddr: '' };
  }
}

interface Row {
  ha_identity: string;
  ha_value: string | null;
  until: number;
}

export class PgHaLock implements HaLock {
  readonly identity = randomUUID();
  readonly ttlMs: number;
  private readonly pool: pg.Pool;
  private readonly sql: ReturnType<typeof haStatements>;
  private readonly target: string;

  constructor(
    config: PgStorageConfig,
    private readonly info: HaNodeInfo,
    timing: PgHaTiming = DEFAULT_HA_TIMING,
  ) {
    this.ttlMs = timing.ttlMs;
    this.sql = haStatements(config.haTable);
    this.pool = new pg.Pool({
      connectionString: config.connectionUrl,
      max: 2,
      connectionTimeoutMillis: timing.queryTimeoutMs,
      query_timeout: timing.queryTimeoutMs,
      keepAlive: true,
    });
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.target = config.target;
  }

  private get value(): string {
    return JSON.stringify({ hostname: this.info.hostname || hostname(), apiAddr: this.info.apiAddr, clusterAddr: this.info.clusterAddr });
  }

  async acquire(): Promise<boolean> {
    const res = await this.run<{ ha_identity: string }>(this.sql.acquire, [LOCK_KEY, this.identity, this.value, this.ttlMs]);
    return res.rows[0]?.ha_identity === this.identity;
  }

  async release(): Promise<void> {
    await this.run(this.sql.release, [LOCK_KEY, this.identity]);
  }

  async holder(): Promise<HaHolder | null> {
    const res = await this.run<Row>(this.sql.holder, [LOCK_KEY]);
    const row = res.rows[0];
    return row ? { identity: row.ha_identity, info: parseInfo(row.ha_value), validUntil: Math.round(row.until) } : null;
  }

  async heartbeat(): Promise<void> {
    await this.run(this.sql.heartbeat, [NODE_PREFIX + this.identity, this.identity, this.value, NODE_TTL_MS]);
  }

  async prune(): Promise<void> {
    await this.run(this.sql.prune, [`${NODE_PREFIX}%`]);
  }

  async peers(): Promise<HaPeer[]> {
    const res = await this.run<Row>(this.sql.peers, [`${NODE_PREFIX}%`]);
    return res.rows.map((r) => ({ identity: r.ha_identity, info: parseInfo(r.ha_value), validUntil: Math.round(r.until), lastEcho: Math.round(r.until) - NODE_TTL_MS }));
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async run<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw mapPgError(err, this.target);
    }
  }
}
