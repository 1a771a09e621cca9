/**
 * One pooled connection to a MySQL or MariaDB server for one database config, through
 * `mysql2`. MySQL commits DDL (CREATE USER, GRANT) as it runs, so a transaction cannot
 * undo a creation that failed part-way: the rollback statements run, and then the default
 * revocation, so no user is left behind either way.
 */
import mysql from 'mysql2/promise';
import type { Logger } from '../../../../logging/logger.js';
import { redact } from '../../redact.js';
import { renderStatements } from '../../sql/statements.js';
import { DatabaseUnreachable, StatementFailed, type ConnectionSettings, type DatabaseConnection, type NewUser } from '../plugin.js';
import { mysqlQuoting, mysqlTimestamp, SESSION_SQL_MODE } from './dialect.js';
import { fillCredentials, parseMysqlDsn } from './dsn.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** Errors that say the server, not the statement, is the problem. */
const CONNECTION_CODES = /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|EPIPE|PROTOCOL_|ER_ACCESS_DENIED|ER_DBACCESS_DENIED|ER_BAD_DB_ERROR|ER_CON_COUNT|ER_SERVER_SHUTDOWN|HANDSHAKE)/;

export class MysqlConnection implements DatabaseConnection {
  private readonly pool: mysql.Pool;

  constructor(settings: ConnectionSettings, logger: Logger) {
    const target = parseMysqlDsn(settings.connectionUrl);
    const password = fillCredentials(target.password, settings.username, settings.password);
    this.pool = mysql.createPool({
      host: target.host,
      port: target.port,
      socketPath: target.socketPath,
      database: target.database,
      user: fillCredentials(target.user, settings.username, settings.password),
      password,
      connectionLimit: settings.maxOpenConnections,
      maxIdle: settings.maxIdleConnections > 0 ? settings.maxIdleConnections : settings.maxOpenConnections,
      idleTimeout: settings.maxConnectionLifetime > 0 ? settings.maxConnectionLifetime * 1000 : 60_000,
      connectTimeout: CONNECT_TIMEOUT_MS,
      multipleStatements: false,
      ...(target.tls ? { ssl: { rejectUnauthorized: target.tls === 'verify' } } : {}),
    });
    this.secrets = [password, settings.password];
    this.logger = logger;
  }

  private readonly secrets: string[];
  private readonly logger: Logger;

  async verify(): Promise<void> {
    await this.withConnection((c) => run(c, 'SELECT 1', 'verification query'));
  }

  async createUser(user: NewUser): Promise<void> {
    const values = { name: user.username, username: user.username, password: user.password, expiration: mysqlTimestamp(user.expiration) };
    const creation = render(user.creation, values);
    const rollback = render(user.rollback, values);
    await this.withConnection(async (c) => {
      try {
        for (const [i, stmt] of creation.entries()) await run(c, stmt, `creation statement ${i + 1}`);
      } catch (err) {
        for (const [i, stmt] of rollback.entries()) await run(c, stmt, `rollback statement ${i + 1}`).catch(() => undefined);
        await dropUser(c, user.username).catch(() => undefined);
        throw err;
      }
    });
  }

  /** MySQL users do not expire: only the role's renew statements run, if any. */
  async renewUser(req: { username: string; expiration: Date; statements: string[] }): Promise<void> {
    if (req.statements.length === 0) return;
    const statements = render(req.statements, { name: req.username, username: req.username, expiration: mysqlTimestamp(req.expiration) });
    await this.withConnection(async (c) => {
      for (const [i, stmt] of statements.entries()) await run(c, stmt, `renew statement ${i + 1}`);
    });
  }

  async revokeUser(req: { username: string; statements: string[] }): Promise<void> {
    await this.withConnection(async (c) => {
      if (req.statements.length === 0) return dropUser(c, req.username);
      const statements = render(req.statements, { name: req.username, username: req.username });
      for (const [i, stmt] of statements.entries()) await run(c, stmt, `revocation statement ${i + 1}`);
    });
  }

  async setPassword(req: { username: string; password: string; statements: string[] }): Promise<void> {
    await this.withConnection(async (c) => {
      const values = { name: req.username, username: req.username, password: req.password };
      if (req.statements.length) {
        for (const [i, stmt] of render(req.statements, values).entries()) await run(c, stmt, `password change statement ${i + 1}`);
        return;
      }
      const hosts = await hostsOf(c, req.username);
      if (hosts.length === 0) throw new StatementFailed(`password change failed: user "${req.username}" does not exist`);
      for (const host of hosts) await run(c, `ALTER USER ${userAt(req.username, host)} IDENTIFIED BY ${mysqlQuoting.quoteLiteral(req.password)}`, 'password change');
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async withConnection<T>(fn: (c: mysql.PoolConnection) => Promise<T>): Promise<T> {
    let conn: mysql.PoolConnection;
    try {
      conn = await this.pool.getConnection();
    } catch (err) {
      throw new DatabaseUnreachable(messageOf(err));
    }
    try {
      // Literal escaping assumes backslash escapes and '"' strings, whatever the server's
      // sql_mode: set before every use, since a pooled session may be new (one round trip).
      await conn.query(SESSION_SQL_MODE).catch((err: unknown) => {
        this.logger.warn('could not set the session sql_mode', { error: redact(messageOf(err), this.secrets).slice(0, 200) });
        throw classify(err, 'session setup');
      });
      return await fn(conn);
    } catch (err) {
      if (err instanceof DatabaseUnreachable) conn.destroy();
      throw err;
    } finally {
      conn.release();
    }
  }
}

function userAt(username: string, host: string): string {
  return `${mysqlQuoting.quoteLiteral(username)}@${mysqlQuoting.quoteLiteral(host)}`;
}

async function hostsOf(c: mysql.PoolConnection, username: string): Promise<string[]> {
  const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT Host AS host FROM mysql.user WHERE User = ?', [username]);
  return rows.map((r) => String(r.host));
}

/**
 * The default revocation (and the last step of a failed creation): for every host the user
 * exists at, its sessions end, its privileges go and the account is dropped.
 */
async function dropUser(c: mysql.PoolConnection, username: string): Promise<void> {
  const hosts = await hostsOf(c, username).catch((err: unknown) => Promise.reject(classify(err, 'user lookup')));
  if (hosts.length === 0) return;
  const [sessions] = await c.query<mysql.RowDataPacket[]>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()', [username]);
  for (const s of sessions) await c.query(`KILL ${Number(s.id)}`).catch(() => undefined);
  for (const host of hosts) {
    await run(c, `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${userAt(username, host)}`, 'default revocation').catch(() => undefined);
    await run(c, `DROP USER IF EXISTS ${userAt(username, host)}`, 'default revocation');
  }
}

function render(templates: string[], values: Record<string, string>): string[] {
  try {
    return renderStatements(templates, values, mysqlQuoting);
  } catch (err) {
    throw new StatementFailed(messageOf(err));
  }
}

async function run(c: mysql.PoolConnection, sql: string, label: string): Promise<void> {
  try {
    await c.query(sql);
  } catch (err) {
    throw classify(err, label);
  }
}

function classify(err: unknown, label: string): Error {
  if (err instanceof DatabaseUnreachable || err instanceof StatementFailed) return err;
  const e = err as { code?: unknown; fatal?: unknown };
  if (e?.fatal === true || (typeof e?.code === 'string' && CONNECTION_CODES.test(e.code))) return new DatabaseUnreachable(messageOf(err));
  return new StatementFailed(`${label} failed: ${messageOf(err)}`);
}

/** A syntax error quotes the statement near the error, which may hold part of a password: that part is cut. */
function messageOf(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/near '[\s\S]*' at line (\d+)/, 'near [statement text withheld] at line $1');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
