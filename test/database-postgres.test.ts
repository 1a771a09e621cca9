/**
 * The database engine against a real PostgreSQL 15: configs, roles, credentials that log
 * in, and the lease lifecycle (renew in the database, capped by max_ttl; revoke, expiry,
 * revoke-prefix and token revocation drop the user).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configure, CREATE_USER, startDatabaseFixture, type DatabaseFixture } from './helpers/database.js';

type Creds = { lease_id: string; lease_duration: number; renewable: boolean; data: { username: string; password: string } };

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('database engine with PostgreSQL', () => {
  let fx: DatabaseFixture;
  before(async () => {
    fx = await startDatabaseFixture();
    await configure(fx, 'pg');
    await fx.t.root.write('database/roles/reader', { db_name: 'pg', creation_statements: CREATE_USER, default_ttl: '1h', max_ttl: '2h' });
  });
  after(() => fx.close());

  const creds = async (role = 'reader', token?: string) => (await (token ? fx.t.client(token) : fx.t.root).read(`database/creds/${role}`)) as unknown as Creds;
  const canSelect = async (c: Creds) => fx.pg.login(c.data.username, c.data.password, 'SELECT count(*)::int AS n FROM widgets');
  const roleExists = async (name: string) => (await fx.pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;

  it('reads a config back without its password, and lists it', async () => {
    const read = (await fx.t.root.read('database/config/pg'))!.data!;
    assert.equal(read.plugin_name, 'postgresql-database-plugin');
    const details = read.connection_details as Record<string, unknown>;
    assert.equal(details.username, fx.rootUser);
    assert.equal(details.connection_url, fx.pg.url());
    assert.ok(!JSON.stringify(read).includes(fx.rootPassword));
    assert.deepEqual(read.allowed_roles, ['*']);
    assert.deepEqual((await fx.t.root.list('database/config'))!.data!.keys, ['pg']);
  });

  it('reads and lists roles in Vault\'s shape', async () => {
    const role = (await fx.t.root.read('database/roles/reader'))!.data!;
    assert.equal(role.db_name, 'pg');
    assert.equal(role.default_ttl, 3600);
    assert.equal(role.max_ttl, 7200);
    assert.deepEqual(role.creation_statements, [CREATE_USER]);
    assert.deepEqual(role.revocation_statements, []);
    assert.deepEqual((await fx.t.root.list('database/roles'))!.data!.keys, ['reader']);
  });

  it('issues a user that logs in and reads, with a renewable lease', async () => {
    const c = await creds();
    assert.match(c.lease_id, /^database\/creds\/reader\//);
    assert.equal(c.lease_duration, 3600);
    assert.equal(c.renewable, true);
    assert.match(c.data.username, /^v-root-reader-[A-Za-z0-9]{20}-\d+$/);
    assert.match(c.data.password, /^[A-Za-z0-9-]{20}$/);
    assert.deepEqual(await canSelect(c), { ok: true, rows: [{ n: 2 }] });
    const until = (await fx.pg.query<{ v: Date }>('SELECT rolvaliduntil AS v FROM pg_roles WHERE rolname = $1', [c.data.username])).rows[0]!.v;
    assert.ok(Math.abs(until.getTime() - (Date.now() + 3600_000)) < 60_000, String(until));
  });

  it('renews by extending VALID UNTIL in the database, never past max_ttl', async () => {
    const c = await creds();
    const validUntil = async () => (await fx.pg.query<{ v: Date }>('SELECT rolvaliduntil AS v FROM pg_roles WHERE rolname = $1', [c.data.username])).rows[0]!.v.getTime();
    const renewed = (await fx.t.root.write('sys/leases/renew', { lease_id: c.lease_id, increment: '90m' }))!;
    assert.equal(renewed.lease_duration, 5400);
    assert.ok(Math.abs((await validUntil()) - (Date.now() + 5400_000)) < 60_000);
    const capped = (await fx.t.root.write('sys/leases/renew', { lease_id: c.lease_id, increment: '10h' }))!;
    assert.ok(capped.lease_duration <= 7200 && capped.lease_duration > 7100, String(capped.lease_duration));
    assert.ok((await validUntil()) <= Date.now() + 7200_000 + 1000);
    assert.equal((await canSelect(c)).ok, true);
  });

  it('revoking the lease drops the user: the same login is refused', async () => {
    const c = await creds();
    assert.equal((await fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id })).status, 204);
    const login = await canSelect(c);
    assert.equal(login.ok, false);
    assert.match((login as { error: string }).error, /password authentication failed/);
    assert.equal(await roleExists(c.data.username), false);
  });

  it('revoke-prefix database/creds/<role> drops every user of that role only', async () => {
    await fx.t.root.write('database/roles/batch', { db_name: 'pg', creation_statements: CREATE_USER });
    const mine = [await creds('batch'), await creds('batch')];
    const kept = await creds();
    assert.equal((await fx.t.root.raw('PUT', 'sys/leases/revoke-prefix/database/creds/batch')).status, 204);
    for (const c of mine) assert.equal((await canSelect(c)).ok, false);
    assert.equal((await canSelect(kept)).ok, true);
  });

  it('commits statements that end in a -- comment (BEGIN and COMMIT travel with the first and last)', async () => {
    const statements = [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' -- the user`, 'GRANT SELECT ON widgets TO "{{name}}" -- and its table'];
    await fx.t.root.write('database/roles/commented', { db_name: 'pg', creation_statements: statements });
    const c = await creds('commented');
    assert.equal((await canSelect(c)).ok, true);
    // One statement: BEGIN and COMMIT travel with it.
    await fx.t.root.write('database/roles/single', { db_name: 'pg', creation_statements: [statements[0]] });
    const one = await creds('single');
    assert.equal((await fx.pg.login(one.data.username, one.data.password)).ok, true);
  });

  it('issues and revokes 32 credentials at once although their GRANTs and DROP OWNEDs collide on one table', async () => {
    // PostgreSQL refuses the later of two concurrent privilege changes of one table ("tuple
    // concurrently updated") instead of waiting; the plugin runs such a transaction again.
    await configure(fx, 'pg-wide', { max_open_connections: 16 });
    await fx.t.root.write('database/roles/crowd', { db_name: 'pg-wide', creation_statements: CREATE_USER, default_ttl: '1h' });
    const all = await Promise.all(Array.from({ length: 32 }, () => fx.t.root.raw('GET', 'database/creds/crowd')));
    assert.deepEqual(all.map((r) => r.status), Array(32).fill(200));
    const names = all.map((r) => (r.body as unknown as Creds).data.username);
    assert.equal((await fx.pg.query('SELECT 1 FROM pg_roles WHERE rolname = ANY($1)', [names])).rowCount, 32);
    const revoked = await Promise.all(all.map((r) => fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: (r.body as unknown as Creds).lease_id })));
    assert.deepEqual(revoked.map((r) => r.status), Array(32).fill(204));
    assert.equal((await fx.pg.query('SELECT 1 FROM pg_roles WHERE rolname = ANY($1)', [names])).rowCount, 0);
  });

  it('revoking the token that read the credential drops the user', async () => {
    await fx.t.root.write('sys/policies/acl/app', { policy: 'path "database/creds/*" { capabilities = ["read"] }' });
    const token = ((await fx.t.root.write('auth/token/create', { policies: ['app'] }))!.auth as { client_token: string }).client_token;
    const c = await creds('reader', token);
    assert.match(c.data.username, /^v-token-reader-/);
    assert.equal((await canSelect(c)).ok, true);
    await fx.t.root.write('auth/token/revoke', { token });
    assert.equal((await canSelect(c)).ok, false);
  });

  it('drops the user when the lease expires', async () => {
    await fx.t.root.write('database/roles/brief', { db_name: 'pg', creation_statements: CREATE_USER, default_ttl: 2, max_ttl: 5 });
    const c = await creds('brief');
    assert.equal(c.lease_duration, 2);
    assert.equal((await canSelect(c)).ok, true);
    await waitFor('the expired user to be dropped', async () => !(await roleExists(c.data.username)));
    assert.equal((await canSelect(c)).ok, false);
  });

  it('uses renew and revocation statements when the role has them', async () => {
    await fx.pg.query('CREATE TABLE IF NOT EXISTS audit_trail (what text, who text)');
    await fx.t.root.write('database/roles/custom', {
      db_name: 'pg',
      creation_statements: CREATE_USER,
      renew_statements: `INSERT INTO audit_trail VALUES ('renew', '{{name}}'); ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'`,
      revocation_statements: [`INSERT INTO audit_trail VALUES ('revoke', '{{name}}')`, `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{{name}}"; DROP ROLE "{{name}}"`],
    });
    const c = await creds('custom');
    await fx.t.root.write('sys/leases/renew', { lease_id: c.lease_id, increment: 60 });
    assert.equal((await fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id })).status, 204);
    const rows = (await fx.pg.query('SELECT what FROM audit_trail WHERE who = $1 ORDER BY what', [c.data.username])).rows;
    assert.deepEqual(rows, [{ what: 'renew' }, { what: 'revoke' }]);
    assert.equal(await roleExists(c.data.username), false);
  });

  it('the default revocation hands over what the user owns, then drops it', async () => {
    await fx.t.root.write('database/roles/owner', {
      db_name: 'pg',
      creation_statements: `${CREATE_USER} GRANT CREATE ON SCHEMA public TO "{{name}}";`,
    });
    const c = await creds('owner');
    assert.equal((await fx.pg.login(c.data.username, c.data.password, 'CREATE TABLE owned_by_user (x int)')).ok, true);
    await fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id });
    assert.equal(await roleExists(c.data.username), false);
    const owner = (await fx.pg.query<{ o: string }>("SELECT tableowner AS o FROM pg_tables WHERE tablename = 'owned_by_user'")).rows[0]!.o;
    assert.equal(owner, fx.rootUser);
  });

  it('with an admin that may not REASSIGN OWNED (CREATEROLE, not superuser), revocation revokes the grants and still drops the user', async () => {
    await fx.pg.query(`CREATE ROLE limited_admin WITH LOGIN CREATEROLE PASSWORD 'limited-pw'; GRANT SELECT ON widgets TO limited_admin WITH GRANT OPTION`);
    await fx.t.root.write('database/config/pg-limited', {
      plugin_name: 'postgresql-database-plugin', connection_url: fx.pg.url(), username: 'limited_admin', password: 'limited-pw', allowed_roles: 'limited',
    });
    await fx.t.root.write('database/roles/limited', { db_name: 'pg-limited', creation_statements: 'CREATE ROLE "{{name}}" WITH LOGIN PASSWORD \'{{password}}\'; GRANT SELECT ON widgets TO "{{name}}";' });
    const c = await creds('limited');
    assert.equal((await canSelect(c)).ok, true);
    const res = await fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    assert.equal(await roleExists(c.data.username), false);
  });

  it('with password_authentication = scram-sha-256 the database is sent a SCRAM verifier, never the password', async () => {
    await fx.pg.query('CREATE TABLE seen (pw text)');
    await configure(fx, 'scram', { password_authentication: 'scram-sha-256' });
    await fx.t.root.write('database/roles/scram', { db_name: 'scram', creation_statements: `${CREATE_USER} INSERT INTO seen VALUES ('{{password}}');` });
    const c = await creds('scram');
    assert.deepEqual(await canSelect(c), { ok: true, rows: [{ n: 2 }] });
    const sent = (await fx.pg.query<{ pw: string }>('SELECT pw FROM seen')).rows[0]!.pw;
    assert.match(sent, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(!sent.includes(c.data.password));
    const res = await fx.t.root.raw<{ errors: string[] }>('PUT', 'database/config/scram', { password_authentication: 'md5' });
    assert.equal(res.status, 400);
    assert.match(res.body!.errors.join(' '), /password_authentication "md5" is not supported by postgresql-database-plugin/);
  });

  it('deletes roles and configs', async () => {
    await fx.t.root.write('database/roles/temp', { db_name: 'pg', creation_statements: CREATE_USER });
    assert.equal((await fx.t.root.raw('DELETE', 'database/roles/temp')).status, 204);
    assert.equal((await fx.t.root.raw('GET', 'database/roles/temp')).status, 404);
    await configure(fx, 'temp');
    assert.equal((await fx.t.root.raw('DELETE', 'database/config/temp')).status, 204);
    assert.equal((await fx.t.root.raw('GET', 'database/config/temp')).status, 404);
  });
});
