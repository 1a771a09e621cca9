import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiClient, type ApiClient } from '../src/api/client.js';
import { silentLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer, type RunningServer } from '../src/server/start-server.js';

describe('init, unseal and seal over HTTP', () => {
  let server: RunningServer;
  let api: ApiClient;
  let keys: string[] = [];
  let rootToken = '';

  before(async () => {
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, undefined, silentLogger);
    api = createApiClient({ address: server.address });
  });
  after(() => server.close());

  it('reports an uninitialized server as sealed, with 501 from sys/health', async () => {
    const status = await api.raw('GET', 'sys/seal-status');
    assert.equal(status.status, 200);
    assert.equal(status.body!.initialized, false);
    assert.equal(status.body!.sealed, true);
    assert.equal((await api.raw('GET', 'sys/health')).status, 501);
    assert.equal((await api.raw('GET', 'sys/init')).body!.initialized, false);
  });

  it('refuses bad init parameters and stays uninitialized', async () => {
    for (const body of [{ secret_shares: 3, secret_threshold: 5 }, { secret_shares: 0, secret_threshold: 0 }, { secret_shares: 'x' }]) {
      const res = await api.raw<{ errors: string[] }>('PUT', 'sys/init', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(res.body!.errors[0]!.length > 0);
    }
    assert.equal((await api.raw('GET', 'sys/init')).body!.initialized, false);
  });

  it('initializes with 5 shares and a threshold of 3, still sealed', async () => {
    const res = await api.raw<{ keys: string[]; keys_base64: string[]; root_token: string }>('PUT', 'sys/init', { secret_shares: 5, secret_threshold: 3 });
    assert.equal(res.status, 200);
    assert.equal(res.body!.keys.length, 5);
    assert.equal(res.body!.keys_base64.length, 5);
    assert.match(res.body!.root_token, /^hvs\.[0-9A-Za-z]{24}$/);
    keys = res.body!.keys;
    rootToken = res.body!.root_token;
    const status = await api.raw('GET', 'sys/seal-status');
    assert.deepEqual([status.body!.initialized, status.body!.sealed, status.body!.t, status.body!.n], [true, true, 3, 5]);
    assert.equal((await api.raw('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 })).status, 400);
  });

  it('answers 503 for everything else while sealed', async () => {
    const res = await createApiClient({ address: server.address, token: rootToken }).raw('GET', 'sys/mounts');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { errors: ['Vault is sealed'] });
    assert.equal((await api.raw('GET', 'sys/health')).status, 503);
  });

  it('counts unseal progress, refuses a repeated share, and unseals at the threshold', async () => {
    let res = await api.raw('PUT', 'sys/unseal', { key: keys[0] });
    assert.equal(res.body!.progress, 1);
    const nonce = res.body!.nonce;
    assert.ok(typeof nonce === 'string' && nonce.length > 0);
    res = await api.raw('PUT', 'sys/unseal', { key: keys[0] });
    assert.equal(res.status, 400);
    res = await api.raw('PUT', 'sys/unseal', { key: 'not-a-key' });
    assert.equal(res.status, 400);
    assert.equal((await api.raw('GET', 'sys/seal-status')).body!.progress, 1);
    res = await api.raw('PUT', 'sys/unseal', { reset: true });
    assert.equal(res.body!.progress, 0);
    for (const key of keys.slice(1, 4)) res = await api.raw('PUT', 'sys/unseal', { key });
    assert.equal(res.body!.sealed, false);
    assert.equal((await api.raw('GET', 'sys/health')).status, 200);
  });

  it('serves the root token after unseal, and seals again on request', async () => {
    const root = createApiClient({ address: server.address, token: rootToken });
    const mounts = await root.raw('GET', 'sys/mounts');
    assert.equal(mounts.status, 200);
    assert.ok((mounts.body!.data as Record<string, unknown>)['cubbyhole/']);
    assert.ok(mounts.body!['cubbyhole/'], 'legacy top-level copy');
    assert.equal((await root.raw('PUT', 'sys/seal')).status, 204);
    assert.equal((await root.raw('GET', 'sys/mounts')).status, 503);
    assert.equal(server.core.sealed, true);
  });
});
