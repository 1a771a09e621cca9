/**
 * Static roles against a real PostgreSQL 15: Coffer takes over an existing user's password
 * (rotated at creation), hands it out, rotates it on demand and on schedule, and finishes a
 * rotation left pending by an outage after the server restarts (seal and unseal).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configure, CREATE_USER, startDatabaseFixture, type DatabaseFixture } from './helpers/database.js';

type StaticCreds = { username: string; password: string; last_vault_rotation: string; rotation_period: number; ttl: number };
type Body = { errors?: string[] };

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('database static roles', () => {
  let fx: DatabaseFixture;
  before(async () => {
    fx = await startDatabaseFixture();
    await configure(fx, 'pg');
    for (const user of ['app_static', 'fast_static', 'flaky_static']) {
      await fx.pg.query(`CREATE ROLE ${user} WITH LOGIN PASSWORD 'initial-pw'; GRANT SELECT ON widgets TO ${user}`);
    }
  });
  after(() => fx.close());

  const staticCreds = async (name: string) => (await fx.t.root.read(`database/static-creds/${name}`))!.data as unknown as StaticCreds;
  const canRead = async (user: string, password: string) => (await fx.pg.login(user, password, 'SELECT count(*)::int AS n FROM widgets')).ok;

  it('takes over the user at creation: the old password stops working, the one handed out reads', async () => {
    assert.equal((await fx.t.root.raw('PUT', 'database/static-roles/app', { db_name: 'pg', username: 'app_static', rotation_period: '1h' })).status, 204);
    assert.equal(await canRead('app_static', 'initial-pw'), false);
    const creds = await staticCreds('app');
    assert.equal(creds.username, 'app_static');
    assert.match(creds.password, /^[A-Za-z0-9-]{20}$/);
    assert.equal(creds.rotation_period, 3600);
    assert.ok(creds.ttl > 3590 && creds.ttl <= 3600, String(creds.ttl));
    assert.ok(Math.abs(Date.parse(creds.last_vault_rotation) - Date.now()) < 10_000);
    assert.equal(await canRead('app_static', creds.password), true);
    const role = (await fx.t.root.read('database/static-roles/app'))!.data!;
    assert.deepEqual({ ...role, last_vault_rotation: undefined }, {
      db_name: 'pg', username: 'app_static', rotation_period: 3600, rotation_statements: [], credential_type: 'password', last_vault_rotation: undefined,
    });
    assert.ok(!JSON.stringify(role).includes(creds.password));
    assert.deepEqual((await fx.t.root.list('database/static-roles'))!.data!.keys, ['app']);
  });

  it('rotate-role sets a new password at once; the previous one is refused', async () => {
    const before = await staticCreds('app');
    assert.equal((await fx.t.root.raw('PUT', 'database/rotate-role/app', {})).status, 204);
    const after = await staticCreds('app');
    assert.notEqual(after.password, before.password);
    assert.equal(await canRead('app_static', before.password), false);
    assert.equal(await canRead('app_static', after.password), true);
  });

  it('rotates on schedule', async () => {
    await fx.t.root.write('database/static-roles/fast', {
      db_name: 'pg', username: 'fast_static', rotation_period: 5,
      rotation_statements: `ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}'`,
    });
    const first = await staticCreds('fast');
    assert.equal(await canRead('fast_static', first.password), true);
    await waitFor('a scheduled rotation', async () => (await staticCreds('fast')).password !== first.password);
    assert.equal(await canRead('fast_static', first.password), false);
    assert.equal(await canRead('fast_static', (await staticCreds('fast')).password), true);
    assert.equal((await fx.t.root.raw('DELETE', 'database/static-roles/fast')).status, 204);
    assert.equal((await fx.t.root.raw('GET', 'database/static-creds/fast')).status, 404);
  });

  it('refuses bad static roles with a 400 and stores nothing', async () => {
    await fx.t.root.write('database/roles/dynamic', { db_name: 'pg', creation_statements: CREATE_USER });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['short', { db_name: 'pg', username: 'app_static', rotation_period: 2 }, /rotation_period must be at least 5s/],
      ['nouser', { db_name: 'pg', rotation_period: 60 }, /username is required/],
      ['dynamic', { db_name: 'pg', username: 'app_static', rotation_period: 60 }, /role and static role names must be unique/],
      ['typo', { db_name: 'pg', username: 'app_static', rotation_period: 60, rotation_perod: 1 }, /unknown fields: rotation_perod/],
      ['ghost', { db_name: 'pg', username: 'no_such_user', rotation_period: 60 }, /role "no_such_user" does not exist/],
      ['nodb', { db_name: 'nope', username: 'app_static', rotation_period: 60 }, /no database config named "nope"/],
    ];
    for (const [name, body, message] of cases) {
      const res = await fx.t.root.raw<Body>('PUT', `database/static-roles/${name}`, body);
      assert.equal(res.status, 400, name);
      assert.match((res.body?.errors ?? []).join(' '), message);
      if (name !== 'dynamic') assert.equal((await fx.t.root.raw('GET', `database/static-roles/${name}`)).status, 404);
    }
    const clash = await fx.t.root.raw<Body>('PUT', 'database/roles/app', { db_name: 'pg', creation_statements: CREATE_USER });
    assert.equal(clash.status, 400);
    const change = await fx.t.root.raw<Body>('PUT', 'database/static-roles/app', { username: 'fast_static' });
    assert.match((change.body?.errors ?? []).join(' '), /cannot change the username/);
  });

  it('a rotation the database missed stays pending, is never half-answered, and completes after a restart', async () => {
    await configure(fx, 'flaky');
    await fx.t.root.write('database/static-roles/flaky', { db_name: 'flaky', username: 'flaky_static', rotation_period: '1h' });
    const committed = await staticCreds('flaky');
    await configure(fx, 'flaky', { connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres', verify_connection: false });
    const failed = await fx.t.root.raw<Body>('PUT', 'database/rotate-role/flaky', {});
    assert.equal(failed.status, 502);
    assert.match((failed.body?.errors ?? []).join(' '), /database "flaky" could not be reached/);
    // The pending password may already be in the database: no answer hands out the old one.
    assert.equal((await fx.t.root.raw('GET', 'database/static-creds/flaky')).status, 502);
    assert.equal(await canRead('flaky_static', committed.password), true);
    await configure(fx, 'flaky');
    assert.equal((await fx.t.root.raw('PUT', 'sys/seal')).status, 204);
    assert.equal((await fx.t.root.raw('PUT', 'sys/unseal', { key: fx.t.server.dev!.unsealKey })).status, 200);
    // No request for it: the mount's start finishes the pending rotation by itself.
    await waitFor('the pending rotation to complete', async () => !(await canRead('flaky_static', committed.password)));
    const now = await staticCreds('flaky');
    assert.notEqual(now.password, committed.password);
    assert.equal(await canRead('flaky_static', now.password), true);
    assert.equal(await canRead('app_static', (await staticCreds('app')).password), true, 'other roles survive the restart');
  });
});
