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

describe('database static roles on a rotation_schedule', () => {
  let fx: DatabaseFixture;
  // The server's clock, moved by the tests so that a scheduled time comes within seconds.
  let offset = 0;
  before(async () => {
    fx = await startDatabaseFixture({ clock: () => Date.now() + offset });
    await configure(fx, 'pg');
    for (const user of ['nightly_static', 'imported_static']) await fx.pg.query(`CREATE ROLE ${user} WITH LOGIN PASSWORD 'initial-pw'`);
  });
  after(() => fx.close());

  const put = (name: string, body: Record<string, unknown>) => fx.t.root.raw('PUT', `database/static-roles/${name}`, body);
  const errorOf = (res: { body?: unknown }) => ((res.body as Body | undefined)?.errors ?? []).join(' ');
  const staticCreds = async (name: string) => (await fx.t.root.read(`database/static-creds/${name}`))!.data as Record<string, unknown>;
  /** The next 03:00 UTC after the server's now, unix ms. */
  const next3am = () => {
    const d = new Date(Date.now() + offset);
    d.setUTCHours(3, 0, 0, 0);
    if (d.getTime() <= Date.now() + offset) d.setUTCDate(d.getUTCDate() + 1);
    return d.getTime();
  };

  it('refuses a bad cron, both or neither of period and schedule, and a window without a schedule or under an hour', async () => {
    const base = { db_name: 'pg', username: 'nightly_static' };
    for (const [body, message] of [
      [{ rotation_schedule: '61 * * * *' }, /rotation_schedule: minute: 61 is outside 0-59/],
      [{ rotation_schedule: '0 3 * *' }, /rotation_schedule: .*4 fields/],
      [{ rotation_schedule: '0 0 31 2 *' }, /never comes/],
      [{ rotation_schedule: '0 3 * * *', rotation_period: '1h' }, /mutually exclusive/],
      [{}, /one of rotation_period or rotation_schedule is required/],
      [{ rotation_period: '1h', rotation_window: '2h' }, /rotation_window is only for a role with a rotation_schedule/],
      [{ rotation_schedule: '0 3 * * *', rotation_window: '59m' }, /rotation_window must be at least 3600s/],
      [{ rotation_schedule: '0 3 * * *', rotation_window: 'soon' }, /rotation_window/],
    ] as const) {
      const res = await put('nightly', { ...base, ...body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(errorOf(res), message, JSON.stringify(body));
    }
    assert.equal((await fx.pg.login('nightly_static', 'initial-pw')).ok, true, 'nothing was rotated');
    assert.equal((await fx.t.root.raw('GET', 'database/static-roles/nightly')).status, 404, 'nothing was stored');
  });

  it('reads back the schedule and window; static-creds ttl counts down to the next scheduled time', async () => {
    assert.equal((await put('nightly', { db_name: 'pg', username: 'nightly_static', rotation_schedule: '0 3 * * *', rotation_window: '2h' })).status, 204);
    const role = (await fx.t.root.read('database/static-roles/nightly'))!.data!;
    assert.equal(role.rotation_schedule, '0 3 * * *');
    assert.equal(role.rotation_window, 7200);
    assert.equal('rotation_period' in role, false);
    const creds = await staticCreds('nightly');
    assert.equal(creds.rotation_schedule, '0 3 * * *');
    const expected = Math.floor((next3am() - (Date.now() + offset)) / 1000);
    assert.ok(Math.abs((creds.ttl as number) - expected) <= 2, `ttl ${creds.ttl}, expected ~${expected}`);
    assert.equal((await fx.pg.login('nightly_static', creds.password as string)).ok, true);
  });

  it('rotates at the scheduled time', async () => {
    // The server's now becomes 2 s before 03:00; the role is rewritten so its timer is armed from there.
    offset += next3am() - (Date.now() + offset) - 2000;
    assert.equal((await put('nightly', { rotation_schedule: '0 3 * * *' })).status, 204);
    const before = await staticCreds('nightly');
    assert.ok((before.ttl as number) <= 2, String(before.ttl));
    await waitFor('the scheduled rotation', async () => (await staticCreds('nightly')).password !== before.password, 10_000);
    const after = await staticCreds('nightly');
    assert.equal((await fx.pg.login('nightly_static', after.password as string)).ok, true);
    assert.equal((await fx.pg.login('nightly_static', before.password as string)).ok, false);
    assert.ok((after.ttl as number) > 86_390 && (after.ttl as number) <= 86_400, String(after.ttl));
    assert.equal(Date.parse(after.last_vault_rotation as string) >= next3am() - 86_400_000, true);
  });

  it('skip_import_rotation leaves the password alone until the first rotation', async () => {
    assert.equal((await put('imported', { db_name: 'pg', username: 'imported_static', rotation_period: '1h', skip_import_rotation: true })).status, 204);
    assert.equal((await fx.pg.login('imported_static', 'initial-pw')).ok, true);
    const creds = await staticCreds('imported');
    assert.equal(creds.password, '');
    assert.equal('last_vault_rotation' in creds, false);
    assert.ok((creds.ttl as number) > 3590 && (creds.ttl as number) <= 3600, String(creds.ttl));
    assert.equal('last_vault_rotation' in (await fx.t.root.read('database/static-roles/imported'))!.data!, false);
    assert.equal((await fx.t.root.raw('PUT', 'database/rotate-role/imported', {})).status, 204);
    const rotated = await staticCreds('imported');
    assert.equal((await fx.pg.login('imported_static', rotated.password as string)).ok, true);
    assert.equal((await fx.pg.login('imported_static', 'initial-pw')).ok, false);
  });

  it('an update with rotation_period replaces the schedule and its window', async () => {
    assert.equal((await put('nightly', { rotation_period: '6h' })).status, 204);
    const role = (await fx.t.root.read('database/static-roles/nightly'))!.data!;
    assert.equal(role.rotation_period, 21_600);
    assert.equal('rotation_schedule' in role || 'rotation_window' in role, false);
  });
});
