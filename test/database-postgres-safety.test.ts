/**
 * The database engine's refusals and safety properties against a real PostgreSQL 15: bad
 * input is a 4xx naming the problem with nothing stored; templated values cannot change the
 * SQL; a failed creation leaves no user and no lease; an unreachable database goes through
 * retries to the irrevocable list; pools close on unmount and seal; rotate-root, also when
 * interrupted; and no
 * password reaches the audit log in the clear.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configure, CREATE_USER, startDatabaseFixture, type DatabaseFixture } from './helpers/database.js';

type Creds = { lease_id: string; data: { username: string; password: string } };
type Body = { errors?: string[] };

describe('database engine: bad input, injection, failures', () => {
  let fx: DatabaseFixture;
  const auditLog = join(mkdtempSync(join(tmpdir(), 'coffer-db-audit-')), 'audit.log');
  const issued: Creds[] = [];
  before(async () => {
    fx = await startDatabaseFixture({ leaseRetry: { baseMs: 100, capMs: 200, maxAttempts: 3 } });
    await fx.t.root.write('sys/audit/file', { type: 'file', options: { file_path: auditLog } });
    await configure(fx, 'pg');
    await fx.t.root.write('database/roles/reader', { db_name: 'pg', creation_statements: CREATE_USER });
  });
  after(() => fx.close());

  const put = (path: string, body: Record<string, unknown>) => fx.t.root.raw<Body>('PUT', path, body);
  const errorOf = (res: { body?: Body | null }) => (res.body?.errors ?? []).join(' ');
  const creds = async (role: string) => {
    const c = (await fx.t.root.read(`database/creds/${role}`)) as unknown as Creds;
    issued.push(c);
    return c;
  };
  const connectionsOf = async (user: string) =>
    (await fx.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [user])).rows[0]!.n;

  it('refuses bad configs with a 400 naming the problem, never echoing the password, and stores nothing', async () => {
    const base = { plugin_name: 'postgresql-database-plugin', connection_url: fx.pg.url(), username: fx.rootUser, password: fx.rootPassword };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, plugin_name: 'oracle-database-plugin' }, /unknown plugin_name "oracle-database-plugin"/],
      [{ ...base, plugin_name: undefined }, /plugin_name is required/],
      [{ ...base, connection_url: 'mysql://x@localhost/db' }, /must start with postgresql:\/\//],
      [{ ...base, connection_url: 'not a url' }, /not a valid URL/],
      [{ ...base, connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres` }, /could not be reached: .*ECONNREFUSED/],
      [{ ...base, password: 'wrong-root-password' }, /password authentication failed/],
      [{ ...base, conection_url: 'typo' }, /unknown fields: conection_url/],
      [{ ...base, username_template: '{{nope}}' }, /invalid username_template/],
      [{ ...base, password_policy: 'missing-policy' }, /password policy "missing-policy" does not exist/],
    ];
    for (const [body, message] of cases) {
      const res = await put('database/config/bad', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(errorOf(res), message);
      assert.ok(!JSON.stringify(res.body).includes('wrong-root-password') && !JSON.stringify(res.body).includes(fx.rootPassword));
    }
    assert.equal((await fx.t.root.raw('GET', 'database/config/bad')).status, 404);
  });

  it('refuses bad roles with a 400 and stores nothing', async () => {
    const base = { db_name: 'pg', creation_statements: CREATE_USER };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, default_ttl: '2h', max_ttl: '1h' }, /default_ttl \(7200s\) cannot be greater than max_ttl \(3600s\)/],
      [{ ...base, max_ttl: '100000h' }, /cannot exceed the mount's max lease TTL/],
      [{ ...base, credential_type: 'rsa_private_key' }, /credential_type "rsa_private_key" is not supported/],
      [{ creation_statements: CREATE_USER }, /db_name is required/],
      [{ db_name: 'pg' }, /creation_statements are required/],
      [{ ...base, default_tll: 5 }, /unknown fields: default_tll/],
      [{ ...base, default_ttl: 'soon' }, /default_ttl/],
    ];
    for (const [body, message] of cases) {
      const res = await put('database/roles/bad', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(errorOf(res), message);
    }
    assert.equal((await fx.t.root.raw('GET', 'database/roles/bad')).status, 404);
  });

  it('issues credentials only to roles the database allows', async () => {
    await configure(fx, 'strict', { allowed_roles: ['app', 'dev-*'] });
    await configure(fx, 'closed', { allowed_roles: [] });
    for (const [role, db] of [['app', 'strict'], ['dev-one', 'strict'], ['other', 'strict'], ['any', 'closed']]) {
      await fx.t.root.write(`database/roles/${role}`, { db_name: db, creation_statements: CREATE_USER });
    }
    assert.equal((await fx.t.root.raw('GET', 'database/creds/app')).status, 200);
    assert.equal((await fx.t.root.raw('GET', 'database/creds/dev-one')).status, 200);
    for (const [role, db] of [['other', 'strict'], ['any', 'closed']]) {
      const res = await fx.t.root.raw<Body>('GET', `database/creds/${role}`);
      assert.equal(res.status, 400);
      assert.match(errorOf(res), new RegExp(`role "${role}" is not allowed by database "${db}"`));
    }
    assert.match(errorOf(await fx.t.root.raw<Body>('GET', 'database/creds/nobody')), /unknown role: nobody/);
  });

  it('a creation that fails part-way runs the rollback statements and leaves no user and no lease', async () => {
    await fx.pg.query('CREATE TABLE rollback_log (who text)');
    await fx.t.root.write('database/roles/broken', {
      db_name: 'pg',
      creation_statements: `${CREATE_USER} SELEC 1;`,
      rollback_statements: `INSERT INTO rollback_log VALUES ('{{name}}')`,
    });
    const res = await fx.t.root.raw<Body>('GET', 'database/creds/broken');
    assert.equal(res.status, 400);
    assert.match(errorOf(res), /database "pg": creation statement 3 failed: syntax error at or near "SELEC"/);
    const logged = (await fx.pg.query<{ who: string }>('SELECT who FROM rollback_log')).rows;
    assert.equal(logged.length, 1);
    assert.match(logged[0]!.who, /^v-root-broken-/);
    assert.equal((await fx.pg.query("SELECT 1 FROM pg_roles WHERE rolname LIKE 'v-root-broken-%'")).rowCount, 0);
    assert.equal((await fx.t.root.raw('LIST', 'sys/leases/lookup/database/creds/broken/')).status, 404);
  });

  it('no username template, role name or password character changes the SQL that runs', async () => {
    await fx.pg.query('CREATE TABLE canary (x int)');
    const evil = `'"\\;$$-- /*`;
    await fx.t.root.write('sys/policies/password/evil', { policy: `length = 24\nrule "charset" {\n  charset = ${JSON.stringify(evil + 'ab')}\n  min-chars = 12\n}` });
    await configure(fx, 'evil', {
      password_policy: 'evil',
      username_template: `{{ printf "i'\\";\\\\$$%s-%s" (random 6) .RoleName }}`,
    });
    const role = `r'";$$\\x`;
    const path = `database/roles/${encodeURIComponent(role)}`;
    await fx.t.root.write(path, {
      db_name: 'evil',
      creation_statements: [
        `${CREATE_USER} -- made for {{name}} with {{password}}`,
        `DO $$ BEGIN EXECUTE 'GRANT SELECT ON canary TO "{{name}}"'; END $$; COMMENT ON ROLE {{name}} IS {{password}};`,
      ],
    });
    const c = await creds(encodeURIComponent(role));
    assert.equal(c.data.username.endsWith(role), true, c.data.username);
    assert.match(c.data.username, /^i'";\\\$\$[A-Za-z0-9]{6}-/);
    assert.equal([...c.data.password].filter((ch) => evil.includes(ch)).length >= 12, true);
    const inDb = await fx.pg.query<{ d: string }>('SELECT shobj_description(oid, \'pg_authid\') AS d FROM pg_roles WHERE rolname = $1', [c.data.username]);
    assert.equal(inDb.rows[0]!.d, c.data.password, 'the exact name and password arrived as data');
    assert.deepEqual(await fx.pg.login(c.data.username, c.data.password, 'SELECT count(*)::int AS n FROM canary'), { ok: true, rows: [{ n: 0 }] });
    assert.equal((await fx.pg.query("SELECT 1 FROM pg_tables WHERE tablename = 'canary'")).rowCount, 1);
    assert.equal((await fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id })).status, 204);
    assert.equal((await fx.pg.login(c.data.username, c.data.password)).ok, false);
  });

  it('an unreachable database: creds is a 502 naming it; revocation is retried, then the lease is irrevocable', async () => {
    await configure(fx, 'flaky');
    await fx.t.root.write('database/roles/flaky', { db_name: 'flaky', creation_statements: CREATE_USER, default_ttl: 1 });
    const c = await creds('flaky');
    await configure(fx, 'flaky', { connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres`, verify_connection: false });
    const res = await fx.t.root.raw<Body>('GET', 'database/creds/flaky');
    assert.equal(res.status, 502);
    assert.match(errorOf(res), /database "flaky" could not be reached: .*ECONNREFUSED/);
    let listed: Record<string, unknown>[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      listed = ((await fx.t.root.read('sys/leases?type=irrevocable'))!.data!.leases as Record<string, unknown>[] | undefined) ?? [];
      if (listed.some((l) => l.lease_id === c.lease_id)) break;
      await sleep(100);
    }
    const entry = listed.find((l) => l.lease_id === c.lease_id);
    assert.ok(entry, JSON.stringify(listed));
    assert.match(JSON.stringify(entry), /ECONNREFUSED/);
    assert.ok(!JSON.stringify(entry).includes(fx.rootPassword));
    // The user outlives its irrevocable lease (its VALID UNTIL has passed, so it cannot log in).
    assert.equal((await fx.pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [c.data.username])).rowCount, 1);
  });

  it('rotate-root sets a new root password that is stored, never shown, and the old one stops working', async () => {
    await fx.pg.query("CREATE ROLE rot_root WITH LOGIN SUPERUSER PASSWORD 'rot-initial-pw'");
    await configure(fx, 'rot', { username: 'rot_root', password: 'rot-initial-pw' });
    await fx.t.root.write('database/roles/rot', { db_name: 'rot', creation_statements: CREATE_USER });
    assert.equal((await put('database/rotate-root/rot', {})).status, 204);
    assert.equal((await fx.pg.login('rot_root', 'rot-initial-pw')).ok, false);
    const c = await creds('rot');
    assert.equal((await fx.pg.login(c.data.username, c.data.password)).ok, true);
    assert.ok(!JSON.stringify((await fx.t.root.read('database/config/rot'))!.data).includes('password":"'));
    await fx.t.root.write('database/config/literal', {
      plugin_name: 'postgresql-database-plugin', connection_url: fx.pg.url(fx.rootUser, fx.rootPassword), allowed_roles: '*',
    });
    const read = (await fx.t.root.read('database/config/literal'))!.data!;
    assert.ok(!JSON.stringify(read).includes(fx.rootPassword), 'a literal URL password is masked on read');
    assert.equal((await put('database/rotate-root/literal', {})).status, 400);
    assert.equal((await put('database/reset/rot', {})).status, 204);
    assert.equal((await fx.pg.login((await creds('rot')).data.username, issued.at(-1)!.data.password)).ok, true);
  });

  it('a root rotation the database missed stays pending and is finished when the mount starts again', async () => {
    await fx.pg.query("CREATE ROLE rot2_root WITH LOGIN SUPERUSER PASSWORD 'rot2-initial-pw'");
    await configure(fx, 'rot2', { username: 'rot2_root', password: 'rot2-initial-pw' });
    await configure(fx, 'rot2', { username: 'rot2_root', password: 'rot2-initial-pw', connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres', verify_connection: false });
    const failed = await put('database/rotate-root/rot2', {});
    assert.equal(failed.status, 502);
    assert.ok(!JSON.stringify(failed.body).includes('rot2-initial-pw'));
    assert.equal((await fx.pg.login('rot2_root', 'rot2-initial-pw')).ok, true);
    // Fixed without a new password: the pending one is kept, and the old one still connects.
    assert.equal((await put('database/config/rot2', { connection_url: fx.pg.url() })).status, 204);
    assert.equal((await fx.t.root.raw('PUT', 'sys/seal')).status, 204);
    assert.equal((await fx.t.root.raw('PUT', 'sys/unseal', { key: fx.t.server.dev!.unsealKey })).status, 200);
    const deadline = Date.now() + 10_000;
    while ((await fx.pg.login('rot2_root', 'rot2-initial-pw')).ok && Date.now() < deadline) await sleep(100);
    assert.equal((await fx.pg.login('rot2_root', 'rot2-initial-pw')).ok, false, 'the pending root password was set on start');
    await fx.t.root.write('database/roles/rot2', { db_name: 'rot2', creation_statements: CREATE_USER });
    const c = await creds('rot2');
    assert.equal((await fx.pg.login(c.data.username, c.data.password)).ok, true);
    assert.ok(!JSON.stringify((await fx.t.root.read('database/config/rot2'))!.data).includes('pending'));
  });

  it('no generated or root password reaches the audit log in the clear', () => {
    const text = readFileSync(auditLog, 'utf8');
    assert.ok(issued.length >= 4);
    assert.match(text, /database\/creds\/rot/);
    for (const secret of [fx.rootPassword, 'rot-initial-pw', 'rot2-initial-pw', ...issued.map((c) => c.data.password)]) assert.ok(!text.includes(secret), 'a password is in the audit log');
  });

  it('closes its pools when the mount goes away and when the server seals', async () => {
    await fx.pg.query("CREATE ROLE pool_root WITH LOGIN SUPERUSER PASSWORD 'pool-root-pw'");
    for (const mount of ['db2', 'db3']) {
      await fx.t.root.write(`sys/mounts/${mount}`, { type: 'database' });
      await fx.t.root.write(`${mount}/config/pg`, { plugin_name: 'postgresql-database-plugin', connection_url: fx.pg.url(), username: 'pool_root', password: 'pool-root-pw', allowed_roles: '*' });
      await fx.t.root.write(`${mount}/roles/r`, { db_name: 'pg', creation_statements: CREATE_USER });
      await fx.t.root.read(`${mount}/creds/r`);
    }
    assert.ok((await connectionsOf('pool_root')) >= 2);
    await fx.t.root.raw('DELETE', 'sys/mounts/db2');
    await fx.t.root.raw('PUT', 'sys/seal');
    const deadline = Date.now() + 5000;
    while ((await connectionsOf('pool_root')) > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(await connectionsOf('pool_root'), 0);
    assert.equal((await fx.t.root.raw('PUT', 'sys/unseal', { key: fx.t.server.dev!.unsealKey })).status, 200);
  });
});
