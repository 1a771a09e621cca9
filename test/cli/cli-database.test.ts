/**
 * The database engine from the command line, as an operator uses it: configure, add a role,
 * `coffer read database/creds/<role>`, log in with what it printed, then revoke the lease
 * and watch the login fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CREATE_USER, startDatabaseFixture, type DatabaseFixture } from '../helpers/database.js';
import { cliWith, show, tempDir } from './run-cli.js';

describe('coffer read database/creds against a real PostgreSQL', () => {
  let fx: DatabaseFixture;
  let cli: ReturnType<typeof cliWith>;
  before(async () => {
    fx = await startDatabaseFixture();
    cli = cliWith({ VAULT_ADDR: fx.t.address, VAULT_TOKEN: fx.t.rootToken, HOME: tempDir() });
  });
  after(() => fx.close());

  it('configures the engine, issues credentials that log in, and revokes them', async () => {
    const config = await cli([
      'write', 'database/config/pg', 'plugin_name=postgresql-database-plugin', `connection_url=${fx.pg.url()}`,
      `username=${fx.rootUser}`, `password=${fx.rootPassword}`, 'allowed_roles=app',
    ]);
    assert.equal(config.code, 0, show(config));
    const role = await cli(['write', 'database/roles/app', 'db_name=pg', `creation_statements=${CREATE_USER}`, 'default_ttl=1h', 'max_ttl=24h']);
    assert.equal(role.code, 0, show(role));

    const read = await cli(['read', '-format=json', 'database/creds/app']);
    assert.equal(read.code, 0, show(read));
    const creds = JSON.parse(read.stdout) as { lease_id: string; lease_duration: number; renewable: boolean; data: { username: string; password: string } };
    assert.match(creds.lease_id, /^database\/creds\/app\//);
    assert.equal(creds.lease_duration, 3600);
    assert.equal(creds.renewable, true);
    const login = await fx.pg.login(creds.data.username, creds.data.password, 'SELECT count(*)::int AS n FROM widgets');
    assert.deepEqual(login, { ok: true, rows: [{ n: 2 }] });

    const table = await cli(['read', 'database/creds/app']);
    assert.equal(table.code, 0, show(table));
    assert.match(table.stdout, /^lease_id\s+database\/creds\/app\//m);
    assert.match(table.stdout, /^username\s+v-/m);

    const revoke = await cli(['lease', 'revoke', creds.lease_id]);
    assert.equal(revoke.code, 0, show(revoke));
    const after = await fx.pg.login(creds.data.username, creds.data.password);
    assert.equal(after.ok, false, 'the revoked user can no longer log in');
  });

  it('refuses a role the config does not allow, naming it', async () => {
    const role = await cli(['write', 'database/roles/other', 'db_name=pg', `creation_statements=${CREATE_USER}`]);
    assert.equal(role.code, 0, show(role));
    const read = await cli(['read', 'database/creds/other']);
    assert.equal(read.code, 1, show(read));
    assert.match(read.stderr, /other/);
    assert.doesNotMatch(read.stderr, new RegExp(fx.rootPassword));
  });
});
