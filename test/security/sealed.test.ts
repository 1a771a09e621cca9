/**
 * Security invariant: while sealed, nothing above the barrier is readable and the key
 * material is gone from memory. Checked through the real HTTP server and, for the zeroed
 * buffers, by holding the barrier's own key buffers across the seal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../../src/api/client.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { isZero, mountKv1, privateField, seal, unseal, type Body } from './helpers.js';

describe('Sealed: nothing above the barrier is readable, and key material is gone from memory', () => {
  let t: TestServer;
  let rootKey: Buffer;
  let termKeys: Buffer[];
  let tokenSalt: Buffer;
  let cachedEntries: Buffer[];
  let cacheSizeAfterSeal = -1;

  before(async () => {
    t = await startDevServer();
    await mountKv1(t.root);
    await t.root.write('cubbyhole/sealed-secret', { v: 'cubbyhole-plaintext' });
    await t.root.write('kv1/sealed-secret', { v: 'kv-plaintext' });
    // Two keyring terms, so more than one data key must be wiped.
    assert.equal((await t.root.raw('PUT', 'sys/rotate')).status, 204);
    assert.equal((await t.root.read('kv1/sealed-secret'))!.data!.v, 'kv-plaintext');

    const { barrier, tokens } = t.server.core;
    const state = privateField<{ keyring: object; rootKey: Buffer } | null>(barrier, 'state');
    assert.ok(state, 'the barrier is unsealed before the test seals it');
    rootKey = state.rootKey;
    termKeys = [...privateField<Map<number, { key: Buffer }>>(state.keyring, 'terms').values()].map((term) => term.key);
    // The salt lives at the front of the token hasher's scratch buffer, which the seal wipes.
    tokenSalt = privateField<Buffer>(privateField<object>(tokens, 'hasher'), 'scratch');
    const cache = privateField<{ size: number; entries: Map<string, { value: Buffer | null }> }>(barrier, 'cache');
    cachedEntries = [...cache.entries.values()].map((slot) => slot.value).filter((v): v is Buffer => v !== null && v.length > 0);
    assert.ok(!isZero(rootKey) && termKeys.length === 2 && termKeys.every((k) => !isZero(k)) && !isZero(tokenSalt));
    assert.ok(cachedEntries.length > 0, 'the entry cache holds something before the seal');

    await seal(t);
    // Taken at once: later seal-status calls read the (root-key-encrypted) keyring again.
    cacheSizeAfterSeal = cache.size;
  });
  after(() => t.close());

  it('answers 503 "Vault is sealed" for every path but the seal paths once sealed', async () => {
    const requests: [ApiClient, 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST' | 'PATCH', string, Body?][] = [
      [t.root, 'GET', 'sys/mounts'],
      [t.root, 'POST', 'sys/mounts/newkv', { type: 'kv' }],
      [t.root, 'GET', 'sys/mounts/secret/tune'],
      [t.root, 'GET', 'sys/auth'],
      [t.root, 'GET', 'sys/policy'],
      [t.root, 'GET', 'sys/policy/default'],
      [t.root, 'GET', 'sys/policies/acl/default'],
      [t.root, 'PUT', 'sys/policies/acl/p', { policy: 'path "x" { capabilities = ["read"] }' }],
      [t.root, 'GET', 'cubbyhole/sealed-secret'],
      [t.root, 'PUT', 'cubbyhole/other', { v: 1 }],
      [t.root, 'LIST', 'cubbyhole/'],
      [t.root, 'GET', 'kv1/sealed-secret'],
      [t.root, 'LIST', 'kv1/'],
      [t.root, 'DELETE', 'kv1/sealed-secret'],
      [t.root, 'GET', 'secret/data/anything'],
      [t.root, 'PATCH', 'secret/data/anything', { data: { v: 2 } }],
      [t.root, 'GET', 'auth/token/lookup-self'],
      [t.root, 'POST', 'auth/token/create', {}],
      [t.root, 'LIST', 'auth/token/accessors'],
      [t.root, 'POST', 'auth/token/revoke-self'],
      [t.root, 'POST', 'sys/capabilities-self', { path: 'secret/x' }],
      [t.root, 'GET', 'sys/key-status'],
      [t.root, 'PUT', 'sys/rotate'],
      [t.root, 'POST', 'sys/remount', { from: 'secret', to: 'moved' }],
      [t.root, 'GET', 'sys/internal/ui/mounts'],
      [t.root, 'GET', 'sys/internal/specs/openapi'],
      [t.root, 'PUT', 'sys/rekey/init', { secret_shares: 1, secret_threshold: 1 }],
      [t.root, 'PUT', 'sys/generate-root/attempt', {}],
      [t.root, 'PUT', 'sys/seal'],
      [t.root, 'GET', 'no/such/mount'],
      [t.root, 'GET', 'kv1/sealed-secret?help=1'],
      [t.anon, 'GET', 'sys/mounts'],
      [t.anon, 'GET', 'cubbyhole/sealed-secret'],
      [t.client('hvs.notarealtokennotarealtoken'), 'GET', 'kv1/sealed-secret'],
    ];
    for (const [client, method, path, body] of requests) {
      const res = await client.raw(method, path, body);
      assert.equal(res.status, 503, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body, { errors: ['Vault is sealed'] }, `${method} ${path}`);
    }
  });

  it('still answers the seal paths, revealing nothing from above the barrier', async () => {
    const status = await t.anon.raw('GET', 'sys/seal-status');
    assert.equal(status.status, 200);
    assert.equal(status.body!.sealed, true);
    assert.equal(status.body!.cluster_name, undefined, 'the cluster name is stored above the barrier');
    assert.equal(status.body!.cluster_id, undefined);
    const health = await t.anon.raw('GET', 'sys/health');
    assert.equal(health.status, 503);
    assert.equal(health.body!.sealed, true);
    assert.equal(health.body!.cluster_name, undefined);
    assert.equal((await t.anon.raw('GET', 'sys/leader')).status, 200);
    assert.deepEqual((await t.anon.raw('GET', 'sys/init')).body, { initialized: true });
    assert.equal((await t.anon.raw('PUT', 'sys/unseal', { reset: true })).body!.progress, 0);
    for (const text of [JSON.stringify(status.body), JSON.stringify(health.body)]) {
      assert.ok(!text.includes('plaintext') && !text.includes(t.rootToken));
    }
  });

  it('refuses reads, writes and lists at the barrier itself', async () => {
    const { barrier } = t.server.core;
    const sealed = (e: unknown) => (e as { status?: number }).status === 503;
    assert.equal(barrier.sealed, true);
    await assert.rejects(barrier.get('core/mounts'), sealed);
    await assert.rejects(barrier.get('core/token-salt'), sealed);
    await assert.rejects(barrier.put('core/mounts', Buffer.from('[]')), sealed);
    await assert.rejects(barrier.delete('core/mounts'), sealed);
    await assert.rejects(barrier.list(''), sealed);
    await assert.rejects(barrier.listPage('logical/', '', 10), sealed);
    await assert.rejects(barrier.view('logical/').get('x'), sealed);
    assert.throws(() => barrier.getRootKey(), sealed);
    assert.throws(() => barrier.keyStatus(), sealed);
    await assert.rejects(barrier.rotate(), sealed);
  });

  it('zeroes the root key, every keyring term and the token salt, and drops every cache', () => {
    assert.ok(isZero(rootKey), 'the root key buffer was not zeroed');
    termKeys.forEach((key, i) => assert.ok(isZero(key), `keyring term ${i + 1} was not zeroed`));
    assert.ok(isZero(tokenSalt), 'the token salt was not zeroed');
    assert.equal(cacheSizeAfterSeal, 0, 'the barrier still cached entries from the unsealed period');
    assert.ok(cachedEntries.every(isZero), 'cached ciphertext was dropped without being zeroed');
    const { core } = t.server;
    assert.equal(privateField<unknown>(core.barrier, 'state'), null);
    assert.deepEqual(core.policies.list(), ['root'], 'policies stay in memory after the seal');
    assert.deepEqual(core.mounts.list('mounts'), []);
    assert.deepEqual(core.router.all(), []);
  });

  it('reads the same data back after unsealing with the key share', async () => {
    await unseal(t);
    assert.equal((await t.root.read('cubbyhole/sealed-secret'))!.data!.v, 'cubbyhole-plaintext');
    assert.equal((await t.root.read('kv1/sealed-secret'))!.data!.v, 'kv-plaintext');
    assert.equal((t.server.core.barrier.keyStatus()).term, 2);
  });
});
