import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { rawText } from './helpers/raw-http.js';

describe('HTTP edges that real clients and attackers hit', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('answers the LIST verb like GET ?list=true, and closes the connection', async () => {
    await t.root.write('cubbyhole/a', { v: 1 });
    const reply = await rawText(
      t.address,
      `LIST /v1/cubbyhole/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${t.rootToken}\r\nConnection: keep-alive\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.match(reply, /connection: close/i);
    assert.match(reply, /"keys":\["a"\]/);
  });

  it('answers LIST for a missing folder with 404 and an empty error list', async () => {
    const reply = await rawText(t.address, `LIST /v1/cubbyhole/nothing/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${t.rootToken}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 404 /);
    assert.ok(reply.endsWith('{"errors":[]}'));
  });

  it('answers a CONNECT request instead of dropping it', async () => {
    const reply = await rawText(t.address, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 405 /);
  });

  it('answers an unknown method with 405 and a malformed request with 400', async () => {
    assert.match(await rawText(t.address, 'FROB /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 405 /);
    assert.match(await rawText(t.address, 'GET /v1/sys/health HTTP/9\r\n\r\n'), /^HTTP\/1\.1 400 /);
  });

  it('refuses dot segments and empty segments, encoded or not', async () => {
    // Raw requests: fetch would normalize these away before they left the client.
    for (const path of ['cubbyhole/../sys/mounts', 'cubbyhole/%2e%2e/sys/mounts', 'cubbyhole//a', 'cubbyhole/./a', 'sys/%2E%2E/x', 'cubbyhole/%2F%2Fa']) {
      const reply = await rawText(t.address, `GET /v1/${path} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${t.rootToken}\r\nConnection: close\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 400 /, path);
      assert.match(reply, /"errors":\["invalid request path/, path);
    }
  });

  it('answers 413 over the body limit and 400 for malformed or deep JSON', async () => {
    const big = 'x'.repeat(33 * 1024 * 1024);
    assert.equal((await t.root.raw('PUT', 'cubbyhole/big', `{"v":"${big}"}`)).status, 413);
    assert.equal((await t.root.raw('PUT', 'cubbyhole/bad', '{"v":')).status, 400);
    assert.equal((await t.root.raw('PUT', 'cubbyhole/bad', '[1,2]')).status, 400);
    const deep = '{"a":'.repeat(500) + '1' + '}'.repeat(500);
    const res = await t.root.raw<{ errors: string[] }>('PUT', 'cubbyhole/deep', deep);
    assert.equal(res.status, 400);
    assert.match(res.body!.errors[0]!, /nested deeper/);
    assert.equal((await t.root.raw('GET', 'cubbyhole/deep')).status, 404, 'nothing was written');
  });

  it('reads JSON bodies sent without a Content-Type, as the Go client does', async () => {
    const body = JSON.stringify({ k: 'v' });
    const reply = await rawText(
      t.address,
      `PUT /v1/cubbyhole/go HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${t.rootToken}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    assert.match(reply, /^HTTP\/1\.1 204 /);
    assert.deepEqual((await t.root.read('cubbyhole/go'))!.data, { k: 'v' });
    const empty = await fetch(`${t.address}/v1/cubbyhole/go2`, {
      method: 'PUT',
      headers: { 'X-Vault-Token': t.rootToken, 'Content-Type': '' },
      body,
    });
    assert.equal(empty.status, 204);
  });

  it('takes the token from Authorization: Bearer', async () => {
    const res = await fetch(`${t.address}/v1/auth/token/lookup-self`, { headers: { Authorization: `Bearer ${t.rootToken}` } });
    assert.equal(res.status, 200);
  });

  it('refuses a bad percent escape with a JSON 400 naming the problem', async () => {
    const reply = await rawText(t.address, `GET /v1/cubbyhole/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.match(reply, /\{"errors":\["invalid request path: bad percent-encoding"\]\}$/);
  });

  it('answers an Expect it does not understand with a JSON 417', async () => {
    const reply = await rawText(t.address, `PUT /v1/cubbyhole/x HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    assert.match(reply, /^HTTP\/1\.1 417 /);
    assert.match(reply, /"errors":\["unsupported Expect header/);
  });

  it('answers a malformed HEAD request without a body', async () => {
    const reply = await rawText(t.address, `HEAD /v1/\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.ok(reply.endsWith('\r\n\r\n'), 'no body after the headers');
  });

  it('refuses a duration too long to be a date, and changes nothing', async () => {
    const res = await t.root.raw<{ errors: string[] }>('POST', 'secret/config', { delete_version_after: '99999999999h' });
    assert.equal(res.status, 400);
    assert.match(res.body!.errors[0]!, /delete_version_after/);
    assert.equal((await t.root.raw('POST', 'secret/data/after-bad-config', { data: { a: 1 } })).status, 200);
    const token = await t.root.raw('POST', 'auth/token/create', { ttl: 9007199254740991 });
    assert.equal(token.status, 400);
  });

  it('answers an unknown path with 404 and {"errors":[]}', async () => {
    const res = await fetch(`${t.address}/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { errors: [] });
  });

  it('answers HEAD on sys/health with the status and no body', async () => {
    const res = await fetch(`${t.address}/v1/sys/health`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    const standby = await fetch(`${t.address}/v1/sys/health?activecode=299`);
    assert.equal(standby.status, 299);
  });
});
