/**
 * PostgreSQL's default revocation, for roles without revocation statements: the user can
 * no longer log in and its sessions end, then everything it owns is handed to the admin and
 * its privileges dropped, then the role itself. Without the privileges REASSIGN/DROP OWNED
 * need (an admin that is not a superuser), it falls back to revoking the table and
 * sequence privileges it holds, schema usage and database connect, then drops the role.
 */
import type pg from 'pg';
import { postgresQuoting } from './dialect.js';

export async function defaultRevoke(client: pg.PoolClient, username: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
  if (exists.rowCount === 0) return;
  const role = postgresQuoting.quoteIdent(username);
  await client.query(`ALTER ROLE ${role} NOLOGIN`);
  // Needs superuser or pg_signal_backend; without them sessions end on their own.
  await client
    .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [username])
    .catch(() => undefined);
  // Two round trips for the transaction: PostgreSQL runs a simple query's statements in order
  // and stops at the first error, so a refused REASSIGN leaves the savepoint to roll back to.
  try {
    try {
      await client.query(`BEGIN; SAVEPOINT owned; REASSIGN OWNED BY ${role} TO CURRENT_USER; DROP OWNED BY ${role}`);
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT owned');
      await revokeGrants(client, username, role);
    }
    await client.query(`DROP ROLE IF EXISTS ${role};\nCOMMIT`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Revokes what the user was granted, object by object: `REVOKE … ON ALL TABLES IN SCHEMA`
 * fails as a whole ("permission denied for table …") when the schema holds one table the
 * admin has no privilege on, which a non-superuser admin meets in any shared schema.
 */
async function revokeGrants(client: pg.PoolClient, username: string, role: string): Promise<void> {
  const q = postgresQuoting.quoteIdent;
  const grants = await client.query<{ kind: string; schema: string; name: string }>(
    `SELECT DISTINCT 'TABLE' AS kind, table_schema AS schema, table_name AS name FROM information_schema.role_table_grants WHERE grantee = $1
     UNION SELECT DISTINCT 'SEQUENCE', object_schema, object_name FROM information_schema.role_usage_grants WHERE grantee = $1 AND object_type = 'SEQUENCE'`,
    [username],
  );
  for (const g of grants.rows) await client.query(`REVOKE ALL PRIVILEGES ON ${g.kind} ${q(g.schema)}.${q(g.name)} FROM ${role}`);
  for (const schema of new Set(['public', ...grants.rows.map((g) => g.schema)])) await client.query(`REVOKE USAGE ON SCHEMA ${q(schema)} FROM ${role}`);
  const db = await client.query<{ db: string }>('SELECT current_database() AS db');
  await client.query(`REVOKE CONNECT ON DATABASE ${q(db.rows[0]!.db)} FROM ${role}`);
}
