/** A dev server with the database engine at `database/` and a throwaway PostgreSQL it manages, for the database tests. */
import type { StartOptions } from '../../src/server/start-server.js';
import { startDevServer, type Scheme, type TestServer } from './dev-server.js';
import { startPostgres, type TestPostgres } from './postgres.js';

export interface DatabaseFixture {
  t: TestServer;
  pg: TestPostgres;
  /** The engine's root user (a superuser distinct from the test's own `postgres`). */
  rootUser: string;
  rootPassword: string;
  close(): Promise<void>;
}

export const CREATE_USER = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`;

export async function startDatabaseFixture(options: StartOptions = {}, scheme: Scheme = 'http'): Promise<DatabaseFixture> {
  const pg = await startPostgres();
  const rootUser = 'coffer_root';
  const rootPassword = `root-${Math.random().toString(36).slice(2)}`;
  await pg.query(`CREATE ROLE ${rootUser} WITH LOGIN SUPERUSER PASSWORD '${rootPassword}'`);
  await pg.query('CREATE TABLE widgets (id int); INSERT INTO widgets VALUES (1), (2)');
  const t = await startDevServer({}, options, scheme);
  await t.root.write('sys/mounts/database', { type: 'database' });
  return {
    t,
    pg,
    rootUser,
    rootPassword,
    async close() {
      await t.close();
      await pg.stop();
    },
  };
}

/** Writes config `name` pointing at the fixture's server as its root user. */
export function configure(fx: DatabaseFixture, name: string, extra: Record<string, unknown> = {}) {
  return fx.t.root.write(`database/config/${name}`, {
    plugin_name: 'postgresql-database-plugin',
    connection_url: fx.pg.url(),
    username: fx.rootUser,
    password: fx.rootPassword,
    allowed_roles: '*',
    ...extra,
  });
}
