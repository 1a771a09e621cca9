/**
 * `coffer login` against a server that asks for login MFA: the CLI prompts for the TOTP
 * passcode (here read from a piped stdin, one answer per line), completes the login through
 * sys/mfa/validate and stores the token; `coffer write sys/mfa/validate` finishes a login
 * by hand; -non-interactive says how instead of prompting.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TOTP, URI } from 'otpauth';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runCli, show, tempDir } from './run-cli.js';

describe('coffer login with login MFA', () => {
  let t: TestServer;
  let offset = 0;
  const now = () => Date.now() + offset;
  let methodId: string;
  let totp: TOTP;
  /** A code from a TOTP period no earlier test used (each code is good once). */
  const freshCode = () => {
    offset += 90_000;
    return totp.generate({ timestamp: now() });
  };

  before(async () => {
    t = await startDevServer({}, { clock: now });
    await t.root.raw('POST', 'sys/auth/userpass', { type: 'userpass' });
    await t.root.raw('POST', 'auth/userpass/users/alice', { password: 'cli-pw' });
    const entityId = ((await t.root.raw<{ auth: { entity_id: string } }>('POST', 'auth/userpass/login/alice', { password: 'cli-pw' })).body!).auth.entity_id;
    methodId = (await t.root.raw<{ data: { method_id: string } }>('POST', 'identity/mfa/method/totp', { issuer: 'Coffer' })).body!.data.method_id;
    const gen = (await t.root.raw<{ data: { url: string } }>('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: entityId, method_id: methodId })).body!.data;
    totp = URI.parse(gen.url) as TOTP;
    const enf = await t.root.raw('POST', 'identity/mfa/login-enforcement/cli', { mfa_method_ids: [methodId], auth_method_types: ['userpass'] });
    assert.equal(enf.status, 204);
  });
  after(() => t.close());

  it('prompts for the passcode and stores the token the validation answers', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=userpass', 'username=alice', 'password=cli-pw'], { env: { COFFER_ADDR: t.address, HOME: home }, stdin: `${freshCode()}\n` });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stderr, new RegExp(`Enter the passphrase for methodID "${methodId}" of type "totp"`));
    assert.match(r.stdout, /^Success! You are now authenticated\./);
    const token = readFileSync(join(home, '.coffer-token'), 'utf8').trim();
    assert.match(token, /^hvs\./);
    const lookup = await runCli(['token', 'lookup', '-format=json'], { env: { COFFER_ADDR: t.address, HOME: home } });
    assert.equal(lookup.code, 0, show(lookup));
    assert.equal(JSON.parse(lookup.stdout).data.path, 'auth/userpass/login/alice');
  });

  it('reads the password and then the passcode from piped stdin, one per line', async () => {
    const home = tempDir();
    const r = await runCli(['login', '-method=userpass', 'username=alice'], { env: { COFFER_ADDR: t.address, HOME: home }, stdin: `cli-pw\n${freshCode()}\n` });
    assert.equal(r.code, 0, show(r));
    assert.match(readFileSync(join(home, '.coffer-token'), 'utf8'), /^hvs\./);
  });

  it('fails clearly on a wrong passcode and stores nothing', async () => {
    const home = tempDir();
    const good = freshCode();
    const wrong = good === '000000' ? '000001' : '000000';
    const r = await runCli(['login', '-method=userpass', 'username=alice', 'password=cli-pw'], { env: { COFFER_ADDR: t.address, HOME: home }, stdin: `${wrong}\n` });
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stderr, /Error validating MFA/);
    assert.match(r.stderr, /failed to validate TOTP passcode/);
  });

  it('with -non-interactive, says how to finish; coffer write sys/mfa/validate finishes it', async () => {
    const env = { COFFER_ADDR: t.address, HOME: tempDir() };
    const r = await runCli(['login', '-non-interactive', '-method=userpass', 'username=alice', 'password=cli-pw'], { env });
    assert.equal(r.code, 2, show(r));
    const id = /request id ([0-9a-f-]{36})/.exec(r.stderr)?.[1];
    assert.ok(id, show(r));
    assert.match(r.stderr, /coffer write sys\/mfa\/validate/);
    const done = await runCli(['write', '-format=json', 'sys/mfa/validate', `mfa_request_id=${id}`, `mfa_payload={"${methodId}": ["${freshCode()}"]}`], { env });
    assert.equal(done.code, 0, show(done));
    assert.match(JSON.parse(done.stdout).auth.client_token, /^hvs\./);
  });
});
