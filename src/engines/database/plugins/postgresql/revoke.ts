/**
 * PostgreSQL's default revocation, for roles without revocation statements: the user can
 * no longer log in and its sessions end, then everything it owns is handed to the admin and
 * its privileges dropped, then the role itself. Without the privileges REASSIGN/DROP OWNED
 * need (an admin that is not a superuser), it falls back to revoking table, sequence,
 * schema and database privileges as Vault does, then drops the role.
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
  await client.query('BEGIN');
  try {
    await client.query('SAVEPOINT owned');
    try {
      await client.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`);
      await client.query(`DROP OWNED BY ${role}`);
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT owned');
      await revokeGrants(client, username, role);
    }
    await client.query(`DROP ROLE IF EXISTS ${role}`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function revokeGrants(client: pg.PoolClient, username: string, role: string): Promise<void> {
  const res = await client.query<{ schema: string }>(
    'SELECT DISTINCT table_schema AS schema FROM information_schema.role_table_grants WHERE grantee = $1',
    [username],
  );
  const schemas = new Set(['public', ...res.rows.map((r) => r.schema)]);
  for (const schema of schemas) {
    const s = postgresQuoting.quoteIdent(schema);
    await client.query(`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${s} FROM ${role}`);
    await client.query(`REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA ${s} FROM ${role}`);
    await client.query(`REVOKE USAGE ON SCHEMA ${s} FROM ${role}`);
  }
  const db = await client.query<{ db: string }>('SELECT current_database() AS db');
  await client.query(`REVOKE CONNECT ON DATABASE ${postgresQuoting.quoteIdent(db.rows[0]!.db)} FROM ${role}`);
}
