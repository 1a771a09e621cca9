/**
 * One pooled connection to a PostgreSQL server for one database config, through `pg`.
 * Creation, renewal and custom revocation each run in one transaction, so a statement that
 * fails leaves nothing of the others behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../../../../logging/logger.js';
import { redact } from '../../redact.js';
import { renderStatements } from '../../sql/statements.js';
import { DatabaseUnreachable, StatementFailed, type ConnectionSettings, type DatabaseConnection, type NewUser } from '../plugin.js';
import { pgTimestamp, postgresQuoting } from './dialect.js';
import { defaultRevoke } from './revoke.js';
import { scramVerifier } from './scram.js';

const DEFAULT_RENEW = `ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`;
const DEFAULT_PASSWORD_CHANGE = `ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}';`;
const CONNECT_TIMEOUT_MS = 10_000;

/** The connection URL with its templated credentials filled in, URL-encoded. */
export function renderConnectionUrl(url: string, username: string, password: string): string {
  return url.replace(/\{\{\s*username\s*\}\}/g, encodeURIComponent(username)).replace(/\{\{\s*password\s*\}\}/g, encodeURIComponent(password));
}

export class PostgresConnection implements DatabaseConnection {
  private readonly pool: pg.Pool;
  /** What `{{password}}` becomes in statements: the password, or its SCRAM verifier. */
  private readonly sendable: (password: string) => string;

  constructor(settings: ConnectionSettings, logger: Logger) {
    const connectionString = renderConnectionUrl(settings.connectionUrl, settings.username, settings.password);
    const secrets = [settings.password, connectionString];
    this.sendable = settings.passwordAuthentication === 'scram-sha-256' ? scramVerifier : (p) => p;
    this.pool = new pg.Pool({
      connectionString,
      max: settings.maxOpenConnections,
      maxLifetimeSeconds: settings.maxConnectionLifetime,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      allowExitOnIdle: true,
      // Literals in statement templates are escaped by doubling quotes only: that is exact
      // only with standard strings, so every session has them, whatever the server default.
      options: '-c standard_conforming_strings=on',
    });
    // An idle client losing its server (a restart) must not become an uncaught error.
    this.pool.on('error', (err) => logger.warn('idle database connection failed', { error: redact(err.message, secrets).slice(0, 200) }));
  }

  async verify(): Promise<void> {
    await this.withClient((c) => run(c, 'SELECT 1', 'verification query'));
  }

  async createUser(user: NewUser): Promise<void> {
    const values = { name: user.username, username: user.username, password: this.sendable(user.password), expiration: pgTimestamp(user.expiration) };
    const creation = render(user.creation, values);
    const rollback = render(user.rollback, values);
    await this.withClient(async (client) => {
      try {
        await retryConflicts(() => inTransaction(client, creation, 'creation'));
      } catch (err) {
        for (const [i, stmt] of rollback.entries()) await run(client, stmt, `rollback statement ${i + 1}`).catch(() => undefined);
        throw err;
      }
    });
  }

  async renewUser(req: { username: string; expiration: Date; statements: string[] }): Promise<void> {
    const values = { name: req.username, username: req.username, expiration: pgTimestamp(req.expiration) };
    const statements = render(req.statements.length ? req.statements : [DEFAULT_RENEW], values);
    await this.withClient((client) => retryConflicts(() => inTransaction(client, statements, 'renew')));
  }

  async revokeUser(req: { username: string; statements: string[] }): Promise<void> {
    if (req.statements.length === 0) {
      await this.withClient((client) => retryConflicts(() => defaultRevoke(client, req.username).catch((err: unknown) => Promise.reject(classify(err, 'default revocation')))));
      return;
    }
    const statements = render(req.statements, { name: req.username, username: req.username });
    await this.withClient((client) => retryConflicts(() => inTransaction(client, statements, 'revocation')));
  }

  async setPassword(req: { username: string; password: string; statements: string[] }): Promise<void> {
    const statements = render(req.statements.length ? req.statements : [DEFAULT_PASSWORD_CHANGE], {
      name: req.username,
      username: req.username,
      password: this.sendable(req.password),
    });
    await this.withClient((client) => retryConflicts(() => inTransaction(client, statements, 'password change')));
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new DatabaseUnreachable(messageOf(err));
    }
    let broken = false;
    try {
      return await fn(client);
    } catch (err) {
      broken = err instanceof DatabaseUnreachable;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

function render(templates: string[], values: Record<string, string>): string[] {
  try {
    return renderStatements(templates, values, postgresQuoting);
  } catch (err) {
    throw new StatementFailed(messageOf(err));
  }
}

/**
 * The statements in one transaction, in as many round trips as statements: BEGIN travels
 * with the first and COMMIT with the last (one simple query each; PostgreSQL skips the rest
 * of a query after an error, so a failure is still the statement's own and nothing commits).
 * Measured (bench/database.ts): a creation of two statements went from four round trips to
 * two, and a GRANT no longer holds its catalog row across a round trip before COMMIT.
 * Newlines around the joints: a statement may end in a `--` comment.
 */
async function inTransaction(client: pg.PoolClient, statements: string[], what: string): Promise<void> {
  if (statements.length === 0) return;
  const last = statements.length - 1;
  try {
    for (const [i, stmt] of statements.entries()) {
      const sql = (i === 0 ? 'BEGIN;\n' : '') + stmt + (i === last ? '\n;\nCOMMIT' : '');
      await run(client, sql, `${what} statement ${i + 1}`);
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function run(client: pg.PoolClient, sql: string, label: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    throw classify(err, label);
  }
}

/**
 * Two transactions that change the privileges of one object (GRANT … ON ALL TABLES by two
 * creations at once, DROP OWNED by two revocations) collide in PostgreSQL's catalog: the
 * later one fails with "tuple concurrently updated" (or "… deleted", XX000) instead of
 * waiting. Its transaction rolled back whole, so it is simply run again.
 */
class CatalogConflict extends StatementFailed {}
const CONFLICT_ATTEMPTS = 20;

async function retryConflicts<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof CatalogConflict) || attempt >= CONFLICT_ATTEMPTS) throw err;
      await sleep(Math.random() * Math.min(2 * attempt, 20));
    }
  }
}

/**
 * A server's SQLSTATE says whether the statement was refused (400) or the connection is
 * the problem (08 connection, 28 login, 3D no such database, 53 resources, 57 shutdown).
 */
function classify(err: unknown, label: string): Error {
  if (err instanceof DatabaseUnreachable || err instanceof StatementFailed) return err;
  const code = (err as { code?: unknown })?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  if (sqlState === 'XX000' && /^tuple concurrently (updated|deleted)$/.test(messageOf(err))) return new CatalogConflict(`${label} failed: ${messageOf(err)}`);
  if (sqlState && !/^(08|28|3D|53|57)/.test(sqlState)) return new StatementFailed(`${label} failed: ${messageOf(err)}`);
  return new DatabaseUnreachable(messageOf(err));
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
