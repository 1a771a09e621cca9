/**
 * The database engine's MySQL plugins against a real MariaDB: Go-style DSNs, credentials
 * that log in and read, revocation, the 16-character legacy flavours, a creation failing
 * part-way (MySQL commits DDL as it goes) leaving no user, injection attempts in every
 * templated value, static roles and rotate-root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { startMariadb, type TestMariadb } from './helpers/mariadb.js';

type Creds = { lease_id: string; data: { username: string; password: string } };
type Body = { errors?: string[] };
const CREATE = `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON app.* TO '{{name}}'@'%';`;

describe('database engine with MariaDB', () => {
  let t: TestServer;
  let db: TestMariadb;
  const rootPassword = `root-${Math.random().toString(36).slice(2)}`;
  before(async () => {
    [db, t] = await Promise.all([startMariadb(), startDevServer()]);
    await db.query(`CREATE USER 'coffer_root'@'%' IDENTIFIED BY '${rootPassword}'`);
    await db.query("GRANT ALL PRIVILEGES ON *.* TO 'coffer_root'@'%' WITH GRANT OPTION");
    await db.query('CREATE DATABASE app');
    await db.query('CREATE TABLE app.widgets (id int)');
    await db.query('INSERT INTO app.widgets VALUES (1), (2), (3)');
    await t.root.write('sys/mounts/database', { type: 'database' });
    await configure('my');
    await t.root.write('database/roles/reader', { db_name: 'my', creation_statements: CREATE, default_ttl: '1h', max_ttl: '2h' });
  });
  after(async () => {
    await t.close();
    await db.stop();
  });

  function configure(name: string, extra: Record<string, unknown> = {}) {
    return t.root.write(`database/config/${name}`, {
      plugin_name: 'mysql-database-plugin',
      connection_url: `{{username}}:{{password}}@tcp(127.0.0.1:${db.port})/`,
      username: 'coffer_root',
      password: rootPassword,
      allowed_roles: '*',
      ...extra,
    });
  }
  const creds = async (role: string) => (await t.root.read(`database/creds/${encodeURIComponent(role)}`)) as unknown as Creds;
  const canRead = async (c: Creds) => db.login(c.data.username, c.data.password, 'SELECT count(*) AS n FROM app.widgets');
  const userExists = async (name: string) => (await db.query<unknown[]>('SELECT 1 FROM mysql.user WHERE User = ?', [name])).length > 0;

  it('issues a user that logs in and reads; revoking drops it', async () => {
    const read = (await t.root.read('database/config/my'))!.data!;
    assert.ok(!JSON.stringify(read).includes(rootPassword));
    const c = await creds('reader');
    assert.match(c.data.username, /^v-root-reader-[A-Za-z0-9]{18}$/);
    assert.deepEqual(await canRead(c), { ok: true, rows: [{ n: 3 }] });
    assert.equal((await t.root.write('sys/leases/renew', { lease_id: c.lease_id, increment: 600 }))!.lease_duration, 600);
    assert.equal((await t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id })).status, 204);
    assert.equal((await canRead(c)).ok, false);
    assert.equal(await userExists(c.data.username), false);
  });

  it('refuses bad and unreachable connection strings with a 400, without the password', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ connection_url: 'postgresql://x@y/z' }, /not a MySQL DSN/],
      [{ connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:99999)/' }, /port must be 1 to 65535/],
      [{ connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:1)/' }, /could not be reached: .*ECONNREFUSED/],
      [{ password: 'wrong-password' }, /Access denied/],
    ];
    for (const [extra, message] of cases) {
      const res = await t.root.raw<Body>('PUT', 'database/config/bad', { plugin_name: 'mysql-database-plugin', connection_url: `{{username}}:{{password}}@tcp(127.0.0.1:${db.port})/`, username: 'coffer_root', password: rootPassword, ...extra });
      assert.equal(res.status, 400, JSON.stringify(extra));
      assert.match((res.body?.errors ?? []).join(' '), message);
      assert.ok(!JSON.stringify(res.body).includes(rootPassword) && !JSON.stringify(res.body).includes('wrong-password'));
    }
  });

  it('the legacy, RDS and Aurora flavours make 16-character names and refuse longer ones', async () => {
    for (const plugin of ['mysql-legacy-database-plugin', 'mysql-rds-database-plugin', 'mysql-aurora-database-plugin']) {
      await configure('legacy', { plugin_name: plugin });
      await t.root.write('database/roles/legacy', { db_name: 'legacy', creation_statements: CREATE });
      const c = await creds('legacy');
      assert.match(c.data.username, /^v-lega-[A-Za-z0-9]{9}$/);
      assert.equal((await canRead(c)).ok, true);
    }
    await configure('legacy', { plugin_name: 'mysql-legacy-database-plugin', username_template: 'v-{{.RoleName}}-{{random 20}}' });
    const res = await t.root.raw<Body>('GET', 'database/creds/legacy');
    assert.equal(res.status, 400);
    assert.match((res.body?.errors ?? []).join(' '), /longer than 16 bytes/);
  });

  it('a creation failing part-way runs the rollback statements and leaves no user and no lease', async () => {
    await db.query('CREATE TABLE app.rollback_log (who text)');
    await t.root.write('database/roles/broken', {
      db_name: 'my',
      creation_statements: `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON app.nosuch TO '{{name}}'@'%';`,
      rollback_statements: `INSERT INTO app.rollback_log VALUES ('{{name}}')`,
    });
    const res = await t.root.raw<Body>('GET', 'database/creds/broken');
    assert.equal(res.status, 400);
    assert.match((res.body?.errors ?? []).join(' '), /creation statement 2 failed: .*nosuch/);
    const logged = await db.query<{ who: string }[]>('SELECT who FROM app.rollback_log');
    assert.equal(logged.length, 1);
    assert.equal(await userExists(logged[0]!.who), false);
    assert.equal((await t.root.raw('LIST', 'sys/leases/lookup/database/creds/broken/')).status, 404);
  });

  it('no username template, role name or password character changes the SQL that runs', async () => {
    await db.query('CREATE TABLE app.canary (x int)');
    const evil = `'"\\;\`$#`;
    await t.root.write('sys/policies/password/evil', { policy: `length = 20\nrule "charset" {\n  charset = ${JSON.stringify(evil + 'ab')}\n  min-chars = 10\n}` });
    await configure('evil', { password_policy: 'evil', username_template: `{{ printf "i'\\"\\\\;%s" (random 4) }}` });
    const role = `r'\`;x`;
    await t.root.write(`database/roles/${encodeURIComponent(role)}`, {
      db_name: 'evil',
      creation_statements: `CREATE USER '{{name}}'@'%' IDENTIFIED BY "{{password}}"; GRANT SELECT ON app.canary TO {{name}}@'%'; -- {{password}}`,
    });
    const c = await creds(role);
    assert.match(c.data.username, /^i'"\\;[A-Za-z0-9]{4}$/);
    assert.ok([...c.data.password].filter((ch) => evil.includes(ch)).length >= 10);
    assert.equal(await userExists(c.data.username), true);
    assert.deepEqual(await db.login(c.data.username, c.data.password, 'SELECT count(*) AS n FROM app.canary'), { ok: true, rows: [{ n: 0 }] });
    assert.equal((await db.query<unknown[]>("SHOW TABLES FROM app LIKE 'canary'")).length, 1);
    assert.equal((await t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id })).status, 204);
    assert.equal(await userExists(c.data.username), false);
  });

  it('static roles rotate an existing user; rotate-root replaces the root password', async () => {
    await db.query("CREATE USER 'svc'@'%' IDENTIFIED BY 'initial-pw'");
    await db.query("GRANT SELECT ON app.* TO 'svc'@'%'");
    assert.equal((await t.root.raw('PUT', 'database/static-roles/svc', { db_name: 'my', username: 'svc', rotation_period: '1h' })).status, 204);
    assert.equal((await db.login('svc', 'initial-pw')).ok, false);
    const first = (await t.root.read('database/static-creds/svc'))!.data as { password: string };
    assert.equal((await db.login('svc', first.password, 'SELECT count(*) AS n FROM app.widgets')).ok, true);
    await t.root.write('database/rotate-role/svc', {});
    const second = (await t.root.read('database/static-creds/svc'))!.data as { password: string };
    assert.equal((await db.login('svc', first.password)).ok, false);
    assert.equal((await db.login('svc', second.password)).ok, true);

    assert.equal((await t.root.raw('PUT', 'database/rotate-root/my', {})).status, 204);
    assert.equal((await db.login('coffer_root', rootPassword)).ok, false);
    assert.equal((await canRead(await creds('reader'))).ok, true, 'the engine logs in with the new root password');
  });
});
