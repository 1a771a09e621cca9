/**
 * Security invariant: requests are bounded. Body size, JSON shape, header size, path length,
 * request timeouts and list page sizes all have limits, and going past one gets a JSON 4xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { parseResponses, rawExchange } from '../helpers/raw-http.js';
import { assertErrorBody, mountKv1 } from './helpers.js';

describe('Limits: request body size, JSON shape, header size, path length, request timeouts, list page sizes', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('answers 413 to a body over 32 MiB and writes nothing', async () => {
    const big = `{"v":"${'x'.repeat(32 * 1024 * 1024)}"}`;
    const res = await t.root.raw('PUT', 'cubbyhole/big', big);
    assert.equal(res.status, 413);
    assertErrorBody(res, '413');
    assert.equal((await t.root.raw('GET', 'cubbyhole/big')).status, 404);
  });

  it('answers 413 as soon as Content-Length announces more than 32 MiB, without waiting for the body', async () => {
    const out = await rawExchange(
      t.address,
      [`PUT /v1/cubbyhole/big HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${t.rootToken}\r\nContent-Length: ${32 * 1024 * 1024 + 1}\r\n\r\n{"v":"`],
      { halfClose: false, timeoutMs: 5000 },
    );
    const { responses } = parseResponses(out.data);
    assert.equal(responses[0]?.status, 413, `got ${out.ending}: ${out.data.toString('latin1').slice(0, 200)}`);
    assert.ok(Array.isArray(JSON.parse(responses[0]!.body).errors));
  });

  it('answers 400 to JSON nested deeper than 100 levels, and accepts 100', async () => {
    for (const [open, close] of [['{"a":', '}'], ['[', ']']]) {
      const res = await t.root.raw<{ errors: string[] }>('PUT', 'cubbyhole/deep', `{"v":${open!.repeat(100)}1${close!.repeat(100)}}`);
      assert.equal(res.status, 400);
      assert.match(res.body!.errors[0]!, /nested deeper than 100/);
    }
    assert.equal((await t.root.raw('GET', 'cubbyhole/deep')).status, 404);
    const ok = await t.root.raw('PUT', 'cubbyhole/deep', `{"v":${'{"a":'.repeat(99)}1${'}'.repeat(99)}}`);
    assert.equal(ok.status, 204, JSON.stringify(ok.body));
  });

  it('answers 400 to a body with too many entries or strings', async () => {
    const entries = await t.root.raw<{ errors: string[] }>('PUT', 'cubbyhole/wide', `{"v":[${'1,'.repeat(100_000)}1]}`);
    assert.equal(entries.status, 400);
    assert.match(entries.body!.errors[0]!, /more than 100000 entries/);
    const list = `[${'"s",'.repeat(99_990)}"s"]`;
    const strings = await t.root.raw<{ errors: string[] }>('PUT', 'cubbyhole/wide', `{"a":${list},"b":${list},"c":${list}}`);
    assert.equal(strings.status, 400);
    assert.match(strings.body!.errors[0]!, /more than 200000 strings/);
    assert.equal((await t.root.raw('GET', 'cubbyhole/wide')).status, 404);
  });

  it("answers 431 with {\"errors\":[...]} to a header section over Node's 16 KiB limit", async () => {
    const out = await rawExchange(t.address, [`GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`]);
    const { responses } = parseResponses(out.data);
    assert.equal(responses[0]?.status, 431, out.data.toString('latin1').slice(0, 200));
    assert.deepEqual(JSON.parse(responses[0]!.body), { errors: ['request headers too large'] });
    assert.equal((await t.anon.raw('GET', 'sys/health')).status, 200);
  });

  it('answers 400 to a request path over 4096 characters', async () => {
    const res = await t.root.raw<{ errors: string[] }>('GET', `cubbyhole/${'p'.repeat(5000)}`);
    assert.equal(res.status, 400);
    assert.match(res.body!.errors[0]!, /too long/);
  });

  it('bounds a LIST page at 10,000 entries and honours smaller limits', async () => {
    await mountKv1(t.root);
    for (const name of ['a', 'b', 'c']) await t.root.write(`kv1/${name}`, { v: name });
    for (const path of ['kv1/?limit=10001', 'secret/metadata/?limit=10001', 'kv1/?limit=99999999999']) {
      const res = await t.root.raw<{ errors: string[] }>('LIST', path);
      assert.equal(res.status, 400, `${path} → ${res.status}`);
      assert.match(res.body!.errors.join(' '), /limit/);
    }
    const page = await t.root.raw<{ data: { keys: string[] } }>('LIST', 'kv1/?limit=2');
    assert.deepEqual(page.body!.data.keys, ['a', 'b']);
    const next = await t.root.raw<{ data: { keys: string[] } }>('LIST', 'kv1/?limit=2&after=b');
    assert.deepEqual(next.body!.data.keys, ['c']);
  });

  it('sets a request timeout and a headers timeout on every listener', () => {
    // Node checks these timeouts only every 30 s, too slow to watch one fire in the suite;
    // an auditor checks that they are configured at all.
    for (const app of t.server.servers) {
      assert.ok(app.server.requestTimeout > 0 && app.server.requestTimeout <= 300_000, `requestTimeout ${app.server.requestTimeout}`);
      assert.ok(app.server.headersTimeout > 0 && app.server.headersTimeout <= app.server.requestTimeout, `headersTimeout ${app.server.headersTimeout}`);
    }
  });
});
