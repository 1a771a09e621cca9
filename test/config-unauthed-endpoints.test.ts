/**
 * The listener settings disable_unauthed_rekey_endpoints and
 * disable_unauthed_generate_root_endpoints: read from the file (true unless it says false),
 * and applied per listener by a real `coffer server -config` process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfigText } from '../src/server/config-file.js';
import { freePort, httpRequest, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

after(() => stopAllProcessServers());

const parse = (text: string) => parseConfigText(text, 'coffer.hcl', {});
const withListener = (settings: string) => parse(`storage "inmem" {}\nlistener "tcp" {\n  tls_disable = true\n${settings}}\n`).listeners[0]!;

describe('parseConfigText: disable_unauthed_rekey_endpoints and disable_unauthed_generate_root_endpoints', () => {
  it('are true when the listener does not name them', () => {
    const l = withListener('');
    assert.equal(l.disableUnauthedRekeyEndpoints, true);
    assert.equal(l.disableUnauthedGenerateRootEndpoints, true);
  });

  it('read false, "false" and 0 as false, each on its own', () => {
    for (const v of ['false', '"false"', '0']) {
      assert.equal(withListener(`  disable_unauthed_rekey_endpoints = ${v}\n`).disableUnauthedRekeyEndpoints, false, v);
      assert.equal(withListener(`  disable_unauthed_rekey_endpoints = ${v}\n`).disableUnauthedGenerateRootEndpoints, true, v);
      assert.equal(withListener(`  disable_unauthed_generate_root_endpoints = ${v}\n`).disableUnauthedGenerateRootEndpoints, false, v);
    }
    const json = parse(JSON.stringify({ storage: { inmem: {} }, listener: { tcp: { tls_disable: true, disable_unauthed_rekey_endpoints: false } } }));
    assert.equal(json.listeners[0]!.disableUnauthedRekeyEndpoints, false);
  });

  it('refuse a value that is not a boolean, naming the setting', () => {
    for (const name of ['disable_unauthed_rekey_endpoints', 'disable_unauthed_generate_root_endpoints']) {
      assert.throws(() => withListener(`  ${name} = "sometimes"\n`), new RegExp(`coffer\\.hcl: "listener\\.${name}" must be a boolean`));
    }
  });
});

describe('coffer server -config: two listeners, one that allows unauthenticated rekey and generate-root', () => {
  let dir = '';
  let server: ProcessServer;
  let open = '';
  let closed = '';
  let unsealKey = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-unauthed-'));
    const [openPort, closedPort] = [await freePort(), await freePort()];
    open = `http://127.0.0.1:${openPort}`;
    closed = `http://127.0.0.1:${closedPort}`;
    const config = join(dir, 'coffer.hcl');
    writeFileSync(
      config,
      `storage "inmem" {}

listener "tcp" {
  address                                  = "127.0.0.1:${openPort}"
  tls_disable                              = true
  disable_unauthed_rekey_endpoints         = false
  disable_unauthed_generate_root_endpoints = false
}

listener "tcp" {
  address     = "127.0.0.1:${closedPort}"
  tls_disable = true
}

log_level = "warn"
`,
    );
    server = await startProcessServer({ args: [`-config=${config}`], address: open });
    const init = await server.request('/v1/sys/init', { method: 'PUT', body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(init.status, 200, init.text);
    unsealKey = init.json.keys_base64[0];
    const unseal = await server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } });
    assert.equal(unseal.json.sealed, false, unseal.text);
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const put = (base: string, path: string, body: unknown = {}) => httpRequest(`${base}/v1/${path}`, { method: 'PUT', body });
  const del = (base: string, path: string) => httpRequest(`${base}/v1/${path}`, { method: 'DELETE' });

  it('refuses a rekey without a token on the default listener, and serves it on the other', async () => {
    const refused = await put(closed, 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 });
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.json.errors[0], /disable_unauthed_rekey_endpoints/);
    const started = await put(open, 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 });
    assert.equal(started.status, 200, started.text);
    assert.equal((await del(closed, 'sys/rekey/init')).status, 403, 'no cancel through the default listener');
    assert.equal((await httpRequest(`${open}/v1/sys/rekey/init`)).json.started, true);
    assert.equal((await del(open, 'sys/rekey/init')).status, 204);
  });

  it('refuses a root generation without a token on the default listener, and serves it on the other', async () => {
    const refused = await put(closed, 'sys/generate-root/attempt');
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.json.errors[0], /disable_unauthed_generate_root_endpoints/);
    const init = await put(open, 'sys/generate-root/attempt');
    assert.equal(init.status, 200, init.text);
    assert.equal((await del(closed, 'sys/generate-root/attempt')).status, 403);
    const done = await put(open, 'sys/generate-root/update', { key: unsealKey, nonce: init.json.nonce });
    assert.equal(done.json.complete, true, done.text);
  });

  it('leaves sys/seal-status, sys/health, sys/init and sys/unseal open on both', async () => {
    for (const base of [open, closed]) {
      assert.equal((await httpRequest(`${base}/v1/sys/seal-status`)).status, 200);
      assert.equal((await httpRequest(`${base}/v1/sys/health`)).status, 200);
      assert.equal((await httpRequest(`${base}/v1/sys/init`)).status, 200);
      assert.equal((await put(base, 'sys/unseal', { key: unsealKey })).json.sealed, false);
    }
  });
});
