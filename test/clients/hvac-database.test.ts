/** hvac's secrets.database methods against a real server and a real PostgreSQL; the credentials it got must log in, and stop working once revoked. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv } from '../helpers/dev-server.js';
import { startDatabaseFixture, type DatabaseFixture } from '../helpers/database.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac secrets.database against a real server over ${scheme}`, () => {
  let fx: DatabaseFixture;
  before(async () => {
    fx = await startDatabaseFixture({}, scheme);
    await fx.pg.query("CREATE ROLE hvac_static WITH LOGIN PASSWORD 'initial-pw'; GRANT SELECT ON widgets TO hvac_static");
  });
  after(() => fx.close());

  it('configures, manages roles and static roles, generates credentials that log in, rotates root, deletes', async () => {
    const { code, out } = await runHvacScript('hvac_database.py', [fx.t.address, fx.t.rootToken, fx.pg.url(), fx.rootUser, fx.rootPassword], trustEnv(fx.t));
    assert.equal(code, 0, out);
    assert.match(out, /ok delete_connection/);
    const issued = [...out.matchAll(/^creds (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { username: string; password: string; lease_id: string });
    assert.equal(issued.length, 2);
    for (const c of issued) {
      assert.deepEqual(await fx.pg.login(c.username, c.password, 'SELECT count(*)::int AS n FROM widgets'), { ok: true, rows: [{ n: 2 }] });
      assert.equal((await fx.t.root.raw('PUT', 'sys/leases/revoke', { lease_id: c.lease_id })).status, 204);
      assert.equal((await fx.pg.login(c.username, c.password)).ok, false);
    }
    assert.equal((await fx.pg.login(fx.rootUser, fx.rootPassword)).ok, false, 'rotate-root replaced the root password');
    const stat = JSON.parse(/^static (.*)$/m.exec(out)![1]!) as { username: string; password: string };
    assert.equal((await fx.pg.login(stat.username, 'initial-pw')).ok, false);
    assert.equal((await fx.pg.login(stat.username, stat.password, 'SELECT count(*)::int AS n FROM widgets')).ok, true);
  });
});
