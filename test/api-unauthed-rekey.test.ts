/**
 * Issue 14: rekey and root generation without a token, over HTTP against real servers. By
 * default (dev mode too) a listener serves sys/rekey/*, sys/rekey-recovery-key/* and
 * sys/generate-root/* only to a token with sudo on the path; with
 * disable_unauthed_{rekey,generate_root}_endpoints = false they work without one, as in
 * Vault. sys/generate-root-token/* always needs a sudo token. Every request is audited.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../src/api/client.js';
import { decodeTokenWithOtp } from '../src/seal/otp.js';
import { devConfig } from '../src/server/server-config.js';
import { lastPair, readAuditLog } from './helpers/audit-log.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Body = Record<string, any>;
type Call = [method: 'GET' | 'PUT' | 'DELETE', path: string, body?: Body];

const REKEY_CALLS: Call[] = [
  ['PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 }],
  ['GET', 'sys/rekey/init'],
  ['DELETE', 'sys/rekey/init'],
  ['PUT', 'sys/rekey/update', { key: 'aa', nonce: 'x' }],
  ['GET', 'sys/rekey/verify'],
  ['PUT', 'sys/rekey-recovery-key/init', { secret_shares: 3, secret_threshold: 2 }],
  ['DELETE', 'sys/rekey-recovery-key/init'],
];
const GENERATE_ROOT_CALLS: Call[] = [
  ['PUT', 'sys/generate-root/attempt', {}],
  ['GET', 'sys/generate-root/attempt'],
  ['DELETE', 'sys/generate-root/attempt'],
  ['PUT', 'sys/generate-root/update', { key: 'aa', nonce: 'x' }],
];
const TOKEN_CALLS: Call[] = [
  ['PUT', 'sys/generate-root-token/attempt', {}],
  ['GET', 'sys/generate-root-token/attempt'],
  ['DELETE', 'sys/generate-root-token/attempt'],
  ['PUT', 'sys/generate-root-token/update', { key: 'aa', nonce: 'x' }],
];
const PATHS = ['sys/rekey/*', 'sys/rekey-recovery-key/*', 'sys/generate-root/*', 'sys/generate-root-token/*'];

/** A token whose policy grants every capability on the share-driven paths, with or without sudo. */
async function tokenFor(t: TestServer, name: string, sudo: boolean): Promise<ApiClient> {
  const caps = `["create", "read", "update", "delete"${sudo ? ', "sudo"' : ''}]`;
  const policy = PATHS.map((p) => `path "${p}" { capabilities = ${caps} }`).join('\n');
  assert.equal((await t.root.raw('PUT', `sys/policy/${name}`, { policy })).status, 204);
  const res = await t.root.write('auth/token/create', { policies: [name] });
  return t.client((res!.auth as { client_token: string }).client_token);
}

const send = (c: ApiClient, [method, path, body]: Call) => c.raw<Body>(method, path, body);

describe('rekey and generate-root on a default listener (disable_unauthed_* = true)', () => {
  let t: TestServer;
  let sudo: ApiClient;
  let noSudo: ApiClient;
  let dir: string;
  let log: string;
  let newKeys: string[] = [];
  const secrets: string[] = [];

  before(async () => {
    t = await startDevServer();
    dir = mkdtempSync(join(tmpdir(), 'coffer-unauthed-rekey-'));
    log = join(dir, 'audit.log');
    assert.equal((await t.root.raw('PUT', 'sys/audit/file', { type: 'file', options: { file_path: log } })).status, 204);
    sudo = await tokenFor(t, 'operators', true);
    noSudo = await tokenFor(t, 'almost', false);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every rekey call without a token: 403 naming disable_unauthed_rekey_endpoints', async () => {
    for (const call of REKEY_CALLS) {
      const res = await send(t.anon, call);
      assert.equal(res.status, 403, `${call[0]} ${call[1]}: ${JSON.stringify(res.body)}`);
      assert.match(res.body!.errors[0], /disable_unauthed_rekey_endpoints/);
    }
  });

  it('refuses every generate-root call without a token: 403 naming disable_unauthed_generate_root_endpoints', async () => {
    for (const call of GENERATE_ROOT_CALLS) {
      const res = await send(t.anon, call);
      assert.equal(res.status, 403, `${call[0]} ${call[1]}: ${JSON.stringify(res.body)}`);
      assert.match(res.body!.errors[0], /disable_unauthed_generate_root_endpoints/);
      assert.match(res.body!.errors[0], /sys\/generate-root-token/);
    }
    for (const call of TOKEN_CALLS) assert.equal((await send(t.anon, call)).status, 403, `${call[0]} ${call[1]}`);
  });

  it('refuses a token without sudo on the path (403), whatever its other capabilities', async () => {
    for (const call of [...REKEY_CALLS, ...GENERATE_ROOT_CALLS, ...TOKEN_CALLS]) {
      const res = await send(noSudo, call);
      assert.equal(res.status, 403, `${call[0]} ${call[1]}: ${JSON.stringify(res.body)}`);
    }
  });

  it("keeps an operator's rekey running when someone without a token tries to cancel it", async () => {
    const started = await sudo.raw<Body>('PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body!.started, true);
    assert.equal((await t.anon.raw('DELETE', 'sys/rekey/init')).status, 403);
    assert.equal((await t.anon.raw('PUT', 'sys/rekey/init', { secret_shares: 1, secret_threshold: 1 })).status, 403);
    const status = await sudo.raw<Body>('GET', 'sys/rekey/init');
    assert.deepEqual([status.body!.started, status.body!.nonce, status.body!.n], [true, started.body!.nonce, 3]);
  });

  it('rekeys with a sudo token: the current share completes it, and the new shares unseal', async () => {
    const nonce = (await sudo.raw<Body>('GET', 'sys/rekey/init')).body!.nonce;
    const done = await sudo.raw<Body>('PUT', 'sys/rekey/update', { key: t.server.dev!.unsealKey, nonce });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body!.complete, true);
    newKeys = done.body!.keys_base64;
    assert.equal(newKeys.length, 3);
    secrets.push(...newKeys, ...done.body!.keys);
    assert.equal((await t.root.raw('PUT', 'sys/seal')).status, 204);
    await t.anon.raw('PUT', 'sys/unseal', { key: newKeys[0] });
    assert.equal((await t.anon.raw<Body>('PUT', 'sys/unseal', { key: newKeys[2] })).body!.sealed, false);
  });

  it('generates a root token through sys/generate-root-token with a sudo token, in the envelope', async () => {
    const init = await sudo.raw<Body>('PUT', 'sys/generate-root-token/attempt', {});
    assert.equal(init.status, 200, JSON.stringify(init.body));
    const { otp, nonce, started, required } = init.body!.data;
    assert.deepEqual([started, required, typeof otp, otp.length > 0], [true, 2, 'string', true]);
    secrets.push(otp);
    // One attempt behind both sets of paths: the sudo token sees it on sys/generate-root too.
    assert.equal((await sudo.raw<Body>('GET', 'sys/generate-root/attempt')).body!.nonce, nonce);
    const step = await sudo.raw<Body>('PUT', 'sys/generate-root-token/update', { key: newKeys[1], nonce });
    assert.equal(step.body!.data.progress, 1);
    const done = await sudo.raw<Body>('PUT', 'sys/generate-root-token/update', { key: newKeys[0], nonce });
    assert.equal(done.body!.data.complete, true, JSON.stringify(done.body));
    secrets.push(done.body!.data.encoded_token);
    const token = decodeTokenWithOtp(done.body!.data.encoded_token, otp);
    const self = await t.client(token).raw<Body>('GET', 'auth/token/lookup-self');
    assert.deepEqual(self.body!.data.policies, ['root']);
    assert.equal((await sudo.raw<Body>('GET', 'sys/generate-root-token/attempt')).body!.data.started, false);
  });

  it('cancels a generation through sys/generate-root-token', async () => {
    assert.equal((await sudo.raw('PUT', 'sys/generate-root-token/attempt', {})).status, 200);
    assert.equal((await t.anon.raw('DELETE', 'sys/generate-root/attempt')).status, 403);
    assert.equal((await sudo.raw<Body>('GET', 'sys/generate-root-token/attempt')).body!.data.started, true);
    assert.equal((await sudo.raw('DELETE', 'sys/generate-root-token/attempt')).status, 204);
    assert.equal((await sudo.raw<Body>('GET', 'sys/generate-root-token/attempt')).body!.data.started, false);
  });

  it('answers bad input with 400 naming the problem', async () => {
    const cases: [Call, RegExp][] = [
      [['PUT', 'sys/generate-root-token/attempt', { pgp_key: 'abc' }], /PGP keys are not supported/],
      [['PUT', 'sys/generate-root-token/attempt', { otp: 'short' }], /otp/],
      [['PUT', 'sys/generate-root-token/update', { nonce: 'x' }], /'key'/],
      [['PUT', 'sys/generate-root-token/update', { key: 'zz', nonce: 'x' }], /key/],
      [['PUT', 'sys/generate-root-token/attempt', { otp: 42 }], /otp/],
    ];
    for (const [call, pattern] of cases) {
      const res = await send(sudo, call);
      assert.equal(res.status, 400, `${JSON.stringify(call)}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.body!.errors.join(' '), pattern);
    }
  });

  it('audits every one of these requests, refused ones too, without a key, OTP or token in clear', () => {
    const lines = readAuditLog(log);
    for (const [path, operation] of [
      ['sys/rekey/init', 'update'],
      ['sys/rekey/init', 'delete'],
      ['sys/rekey/update', 'update'],
      ['sys/rekey-recovery-key/init', 'update'],
      ['sys/generate-root/attempt', 'delete'],
      ['sys/generate-root-token/attempt', 'update'],
      ['sys/generate-root-token/update', 'update'],
    ]) {
      lastPair(lines, path!, operation);
    }
    const refused = lines.filter((l) => l.type === 'response' && l.request.path === 'sys/rekey/init' && /disable_unauthed_rekey_endpoints/.test(l.error ?? ''));
    assert.ok(refused.length > 0, 'the anonymous refusals are in the log with their error');
    const done = lines.filter((l) => l.type === 'response' && l.request.path === 'sys/generate-root-token/update' && l.response?.data?.complete === true);
    assert.equal(done.length, 1, 'the completing share is in the log');
    const text = readFileSync(log, 'utf8');
    for (const s of secrets) assert.ok(!text.includes(s), 'no share, OTP or encoded token in clear');
  });
});

describe('rekey and generate-root on a listener that allows them (disable_unauthed_* = false)', () => {
  let t: TestServer;

  before(async () => {
    const listener = { ...devConfig().listeners[0]!, address: '127.0.0.1:0' };
    t = await startDevServer({ listeners: [{ ...listener, disableUnauthedRekeyEndpoints: false, disableUnauthedGenerateRootEndpoints: false }] });
  });
  after(() => t.close());

  it('starts, reads and cancels a rekey without a token, as Vault does', async () => {
    const started = await t.anon.raw<Body>('PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body!.started, true);
    assert.equal((await t.anon.raw<Body>('GET', 'sys/rekey/init')).body!.nonce, started.body!.nonce);
    assert.equal((await t.anon.raw('DELETE', 'sys/rekey/init')).status, 204);
    assert.equal((await t.anon.raw<Body>('GET', 'sys/rekey/init')).body!.started, false);
  });

  it('generates a root token without a token (a lost root token), and cancels without one', async () => {
    const init = await t.anon.raw<Body>('PUT', 'sys/generate-root/attempt', {});
    assert.equal(init.status, 200, JSON.stringify(init.body));
    const done = await t.anon.raw<Body>('PUT', 'sys/generate-root/update', { key: t.server.dev!.unsealKey, nonce: init.body!.nonce });
    assert.equal(done.body!.complete, true, JSON.stringify(done.body));
    const token = decodeTokenWithOtp(done.body!.encoded_token, init.body!.otp);
    assert.deepEqual((await t.client(token).raw<Body>('GET', 'auth/token/lookup-self')).body!.data.policies, ['root']);
    assert.equal((await t.anon.raw('PUT', 'sys/generate-root/attempt', {})).status, 200);
    assert.equal((await t.anon.raw('DELETE', 'sys/generate-root/attempt')).status, 204);
  });

  it('still keeps sys/generate-root-token behind a token', async () => {
    for (const call of TOKEN_CALLS) assert.equal((await send(t.anon, call)).status, 403, `${call[0]} ${call[1]}`);
  });
});
