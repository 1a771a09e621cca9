/** `coffer login -method=ldap` against a real server and a throwaway OpenLDAP, set up with the CLI too. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { GROUPS_DN, PEOPLE_DN, startSlapd, USERS, type TestSlapd } from '../helpers/slapd.js';
import { runCli, show, tempDir } from './run-cli.js';

describe('coffer login -method=ldap', () => {
  let t: TestServer;
  let ldap: TestSlapd;
  before(async () => {
    [t, ldap] = await Promise.all([startDevServer(), startSlapd()]);
    const admin = { COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() };
    for (const args of [
      ['auth', 'enable', 'ldap'],
      ['write', 'auth/ldap/config', `url=${ldap.url}`, `userdn=${PEOPLE_DN}`, `groupdn=${GROUPS_DN}`, 'token_ttl=25m'],
      ['write', 'auth/ldap/groups/devs', 'policies=dev'],
    ]) {
      const r = await runCli(args, { env: admin });
      assert.equal(r.code, 0, show(r));
    }
  });
  after(async () => {
    await t?.close();
    await ldap?.stop();
  });

  it('logs in with the directory password, stores the token and shows the mapped policies', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=ldap', 'username=alice', `password=${USERS.alice}`], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Success! You are now authenticated\./);
    assert.match(r.stdout, /token_duration\s+25m/);
    assert.match(r.stdout, /token_policies\s+\["default" "dev"\]/);
    assert.match(readFileSync(join(home, '.coffer-token'), 'utf8'), /^hvs\./);
  });

  it('reports a wrong password with the server’s message and stores nothing', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=ldap', 'username=alice', 'password=nope'], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stderr, /Code: 400[\s\S]*failed to bind as user/);
    assert.ok(!existsSync(join(home, '.coffer-token')));
  });
});
