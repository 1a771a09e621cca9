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
      assert.equal(e.data.event.metadata.data_path, 'database/static-creds/app');
      assert.equal(e.data.event.metadata.path, 'database/rotate-role/app');
      assert.equal(e.data.plugin_info.plugin, 'database');
      assert.equal(e.data.plugin_info.mount_path, 'database/');
      assert.ok(!JSON.stringify(e).includes(password) && !JSON.stringify(e).includes('initial-pw'), 'no password in the event');
    }
    assert.notEqual(created.id, rotated.id);
    s.close();
  });
});
