/** `coffer login -method=userpass|approle` against a real server, and the auth commands around it. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runCli, show, tempDir } from './run-cli.js';

describe('coffer login with userpass and approle', () => {
  let t: TestServer;
  let roleId: string;
  before(async () => {
    t = await startDevServer();
    const admin = { COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() };
    for (const args of [
      ['auth', 'enable', 'userpass'],
      ['auth', 'enable', '-path=machines', 'approle'],
      ['write', 'auth/userpass/users/alice', 'password=cli-pw', 'token_policies=default'],
      ['write', 'auth/machines/role/ci', 'token_ttl=15m'],
    ]) {
      const r = await runCli(args, { env: admin });
      assert.equal(r.code, 0, show(r));
    }
    roleId = (await t.root.read('auth/machines/role/ci/role-id'))!.data!.role_id as string;
  });
  after(() => t.close());

  it('logs in with a username and password, stores the token and shows its details', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=userpass', 'username=Alice', 'password=cli-pw'], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Success! You are now authenticated\./);
    assert.match(r.stdout, /token_meta_username\s+alice/);
    const token = readFileSync(join(home, '.coffer-token'), 'utf8');
    assert.match(token, /^hvs\./);
    const lookup = await runCli(['token', 'lookup', '-format=json'], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.equal(lookup.code, 0, show(lookup));
    assert.equal(JSON.parse(lookup.stdout).data.display_name, 'userpass-alice');
  });

  it('reads the password from piped stdin when it is not an argument', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=userpass', 'username=alice'], { env: { COFFER_ADDR: t.address, HOME: home }, stdin: 'cli-pw\n' });
    assert.equal(r.code, 0, show(r));
    assert.ok(existsSync(join(home, '.coffer-token')));
  });

  it('reports a wrong password with the server’s message and stores nothing', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=userpass', 'username=alice', 'password=nope'], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stderr, /Error authenticating[\s\S]*Code: 400[\s\S]*invalid username or password/);
    assert.ok(!existsSync(join(home, '.coffer-token')));
  });

  it('logs in with a role id and secret id, from a mount of another path', async () => {
    const secretId = (await t.root.write('auth/machines/role/ci/secret-id', {}))!.data!.secret_id as string;
    const home = tempDir();
    const r = await runCli(['login', '-method=approle', '-path=machines', `role_id=${roleId}`, `secret_id=${secretId}`], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /token_duration\s+15m/);
    assert.match(r.stdout, /token_meta_role_name\s+ci/);
    const piped = await runCli(['login', '-method=approle', '-path=machines', '-token-only', `role_id=${roleId}`], { env: { COFFER_ADDR: t.address, HOME: tempDir() }, stdin: `${secretId}\n` });
    assert.equal(piped.code, 0, show(piped));
    assert.match(piped.stdout, /^hvs\.\S+$/);
    const missing = await runCli(['login', '-method=approle', '-path=machines'], { env: { COFFER_ADDR: t.address, HOME: tempDir() } });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /role_id/);
  });
});
