/**
 * The totp secrets engine over HTTP: keys generated here (shown once as an otpauth:// URL
 * and QR code) validate the codes an authenticator computes from that URL, each code once;
 * imported keys (url or base32 key) generate the codes an authenticator would show.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP, URI } from 'otpauth';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { expectError, expectStatus, type Body } from './auth/helpers.js';

describe('totp secrets engine', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
    await expectStatus(t.root.raw('POST', 'sys/mounts/totp', { type: 'totp' }), 204);
  });
  after(() => t.close());

  it('generates a key, shows it once, and validates each code once', async () => {
    const gen = (await expectStatus(t.root.raw<Body>('POST', 'totp/keys/app', { generate: true, issuer: 'Coffer', account_name: 'alice@example.com' }), 200)).data!;
    assert.ok(Buffer.from(gen.barcode as string, 'base64').subarray(1, 4).toString() === 'PNG');
    const app = URI.parse(gen.url as string) as TOTP;
    assert.equal(app.issuer, 'Coffer');
    assert.equal(app.label, 'alice@example.com');
    const read = (await expectStatus(t.root.raw<Body>('GET', 'totp/keys/app'), 200)).data!;
    assert.deepEqual(read, { account_name: 'alice@example.com', algorithm: 'SHA1', digits: 6, issuer: 'Coffer', period: 30 });
    const code = app.generate();
    const ok = (await expectStatus(t.root.raw<Body>('POST', 'totp/code/app', { code }), 200)).data!;
    assert.equal(ok.valid, true);
    await expectError(t.root.raw('POST', 'totp/code/app', { code }), 400, /already used/);
    // a code valid in none of the accepted periods
    const near = [-1, 0, 1].map((k) => app.generate({ timestamp: Date.now() + k * 30_000 }));
    let n = Number(code);
    while (near.includes(String(n).padStart(6, '0'))) n = (n + 1) % 1_000_000;
    const bad = (await expectStatus(t.root.raw<Body>('POST', 'totp/code/app', { code: String(n).padStart(6, '0') }), 200)).data!;
    assert.equal(bad.valid, false);
  });

  it('imports a key by url or base32 key and generates the codes an authenticator shows', async () => {
    const secret = new Secret({ size: 20 });
    const byUrl = new TOTP({ issuer: 'Acme', label: 'bob', secret, digits: 8, algorithm: 'SHA256' });
    await expectStatus(t.root.raw('POST', 'totp/keys/by-url', { url: byUrl.toString() }), 204);
    const c1 = (await expectStatus(t.root.raw<Body>('GET', 'totp/code/by-url'), 200)).data!.code as string;
    assert.equal(c1.length, 8);
    assert.ok(byUrl.validate({ token: c1, window: 1 }) !== null, 'the code otpauth expects');
    await expectStatus(t.root.raw('POST', 'totp/keys/by-key', { key: secret.base32, issuer: 'Acme', account_name: 'bob' }), 204);
    const c2 = (await expectStatus(t.root.raw<Body>('GET', 'totp/code/by-key'), 200)).data!.code as string;
    assert.ok(new TOTP({ secret }).validate({ token: c2, window: 1 }) !== null);
    const list = (await expectStatus(t.root.raw<Body>('LIST', 'totp/keys'), 200)).data!;
    assert.deepEqual([...(list.keys as string[])].sort(), ['app', 'by-key', 'by-url']);
    await expectStatus(t.root.raw('DELETE', 'totp/keys/by-key'), 204);
    await expectError(t.root.raw('GET', 'totp/code/by-key'), 400, /unknown key/);
  });

  it('answers 400 for bad input and writes nothing', async () => {
    await expectError(t.root.raw('POST', 'totp/keys/x', { generate: true, account_name: 'a' }), 400, /issuer is required/);
    await expectError(t.root.raw('POST', 'totp/keys/x', { url: 'https://example.com' }), 400, /otpauth/);
    await expectError(t.root.raw('POST', 'totp/keys/x', { key: 'not base32!' }), 400, /base32/);
    await expectError(t.root.raw('POST', 'totp/keys/x', {}), 400, /url or key is required/);
    await expectError(t.root.raw('POST', 'totp/keys/x', { generate: true, issuer: 'a', account_name: 'b', digits: 7 }), 400, /digits/);
    await expectError(t.root.raw('POST', 'totp/code/app', {}), 400, /missing code/);
    assert.equal((await t.root.raw('GET', 'totp/keys/x')).status, 404);
  });
});
