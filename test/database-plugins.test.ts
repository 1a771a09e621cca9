/** Every database plugin through the one conformance contract, each against its real database. */
import { runPluginConformance } from '../src/engines/database/plugins/conformance.js';
import { mysqlPlugin } from '../src/engines/database/plugins/mysql/index.js';
import { postgresqlPlugin } from '../src/engines/database/plugins/postgresql/index.js';
import { startMariadb } from './helpers/mariadb.js';
import { startPostgres } from './helpers/postgres.js';

const settings = { maxOpenConnections: 2, maxIdleConnections: 0, maxConnectionLifetime: 0, passwordAuthentication: 'password' };

runPluginConformance('postgresql-database-plugin', async () => {
  const pg = await startPostgres();
  await pg.query(`CREATE ROLE admin WITH LOGIN SUPERUSER PASSWORD 'admin-pw'; CREATE TABLE things (x int)`);
  return {
    plugin: postgresqlPlugin,
    settings: { ...settings, connectionUrl: pg.url(), username: 'admin', password: 'admin-pw' },
    creation: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON things TO "{{name}}";`],
    failing: 'SELEC 1',
    canLogin: async (user, password) => (await pg.login(user, password, 'SELECT count(*) FROM things')).ok,
    userExists: async (user) => (await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user])).rowCount === 1,
    stop: () => pg.stop(),
  };
});

runPluginConformance('mysql-database-plugin', async () => {
  const db = await startMariadb();
  await db.query("CREATE USER 'admin'@'%' IDENTIFIED BY 'admin-pw'");
  await db.query("GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION");
  await db.query('CREATE DATABASE app');
  await db.query('CREATE TABLE app.things (x int)');
  return {
    plugin: mysqlPlugin,
    settings: { ...settings, connectionUrl: `{{username}}:{{password}}@tcp(127.0.0.1:${db.port})/`, username: 'admin', password: 'admin-pw' },
    creation: [`CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON app.things TO '{{name}}'@'%';`],
    failing: 'SELEC 1',
    canLogin: async (user, password) => (await db.login(user, password, 'SELECT count(*) FROM app.things')).ok,
    userExists: async (user) => (await db.query<unknown[]>('SELECT 1 FROM mysql.user WHERE User = ?', [user])).length > 0,
    stop: () => db.stop(),
  };
});
