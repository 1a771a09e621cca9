/**
 * The database engine's static-role rotations on the events stream, against a real
 * PostgreSQL: one `database/rotate` per rotation, naming the role and where its credentials
 * are read, never the password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configure, startDatabaseFixture, type DatabaseFixture } from './helpers/database.js';
import { mustSubscribe } from './helpers/events.js';

describe('events of the database engine', () => {
  let fx: DatabaseFixture;
  before(async () => {
    fx = await startDatabaseFixture();
    await configure(fx, 'pg');
    await fx.pg.query(`CREATE ROLE evented WITH LOGIN PASSWORD 'initial-pw'`);
  });
  after(() => fx.close());

  it('sends database/rotate for each static-role rotation, without the password', async () => {
    const s = await mustSubscribe(fx.t, 'database/*');
    assert.equal((await fx.t.root.raw('PUT', 'database/static-roles/app', { db_name: 'pg', username: 'evented', rotation_period: '1h' })).status, 204);
    const created = await s.next();
    assert.equal((await fx.t.root.raw('PUT', 'database/rotate-role/app', {})).status, 204);
    const rotated = await s.next();
    const password = ((await fx.t.root.read('database/static-creds/app'))!.data as { password: string }).password;
    for (const e of [created, rotated]) {
      assert.equal(e.data.event_type, 'database/rotate');
      assert.equal(e.data.event.metadata.name, 'app');
      assert.deepEqual(e.data.event.metadata, { modified: 'true', operation: 'rotate', name: 'app', path: 'database/rotate-role/app' });
      assert.equal(e.data.plugin_info.plugin, 'database');
      assert.equal(e.data.plugin_info.mount_path, 'database/');
      assert.ok(!JSON.stringify(e).includes(password) && !JSON.stringify(e).includes('initial-pw'), 'no password in the event');
    }
    assert.notEqual(created.id, rotated.id);
    s.close();
  });

  it('shows a rotation only to tokens that may read the role\'s credentials', async () => {
    const policy = (name: string, creds: string) =>
      fx.t.root.raw('PUT', `sys/policies/acl/${name}`, { policy: `path "sys/events/subscribe/*" { capabilities = ["subscribe"] }\npath "database/static-creds/${creds}" { capabilities = ["read"] }` });
    await policy('app-creds', 'app');
    await policy('other-creds', 'other');
    const token = async (p: string) => ((await fx.t.root.raw<{ auth: { client_token: string } }>('POST', 'auth/token/create', { policies: [p] })).body as { auth: { client_token: string } }).auth.client_token;
    const allowed = await mustSubscribe(fx.t, 'database/rotate', { token: await token('app-creds') });
    const other = await mustSubscribe(fx.t, 'database/rotate', { token: await token('other-creds') });
    assert.equal((await fx.t.root.raw('PUT', 'database/rotate-role/app', {})).status, 204);
    assert.equal((await allowed.next()).data.event.metadata.name, 'app');
    assert.deepEqual(await other.drain(300), []);
    allowed.close();
    other.close();
  });
});
