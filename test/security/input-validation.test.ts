/**
 * Security invariant: every input is validated. A bad request gets a 4xx whose message names
 * the problem, and changes nothing a caller could see nor any stored byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { createLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { assertErrorBody, createToken, mountKv1, physicalSnapshot, type Body } from './helpers.js';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST' | 'PATCH';
interface BadRequest {
  method: Method;
  path: string;
  body?: Body | string;
  headers?: Record<string, string>;
  /** The message must match (it names the problem). */
  mentions?: RegExp;
}

describe('Every input is validated: a bad request gets a 4xx naming the problem, and changes nothing', () => {
  describe('on a running server', () => {
    let t: TestServer;
    let liveToken = '';

    before(async () => {
      t = await startDevServer();
      await mountKv1(t.root);
      await t.root.write('kv1/existing', { v: 1 });
      await t.root.write('secret/data/existing', { data: { v: 1 } });
      await t.root.write('sys/policies/acl/existing', { policy: 'path "secret/*" { capabilities = ["read"] }' });
      liveToken = (await createToken(t.root, { policies: ['default'], ttl: '1h' })).client_token;
    });
    after(() => t.close());

    /** What a caller could see change, plus every stored byte. */
    async function state() {
      const read = async (method: Method, path: string) => JSON.stringify((await t.root.raw(method, path)).body, (k, v) => (k === 'request_id' ? undefined : v));
      const policies = (await t.root.list('sys/policies/acl'))!.data!.keys as string[];
      return {
        mounts: await read('GET', 'sys/mounts'),
        auth: await read('GET', 'sys/auth'),
        policies: await Promise.all(policies.map((p) => read('GET', `sys/policies/acl/${p}`))),
        accessors: await read('LIST', 'auth/token/accessors'),
        roles: await read('LIST', 'auth/token/roles'),
        secrets: await read('LIST', 'kv1/'),
        v2: await read('LIST', 'secret/metadata/'),
        physical: [...(await physicalSnapshot(t.server.core.physical))],
      };
    }

    async function refuses(cases: BadRequest[]): Promise<void> {
      for (const c of cases) {
        const label = `${c.method} ${c.path} ${typeof c.body === 'string' ? c.body.slice(0, 80) : JSON.stringify(c.body)?.slice(0, 80)}`;
        const before = await state();
        const res = await t.root.raw(c.method, c.path, c.body, c.headers);
        assert.ok(res.status >= 400 && res.status < 500, `${label} → ${res.status} ${JSON.stringify(res.body)}`);
        const errors = assertErrorBody(res, label);
        if (c.mentions) assert.match(errors.join('; '), c.mentions, label);
        assert.deepEqual(await state(), before, `${label} changed state although it was refused`);
      }
      assert.equal((await t.anon.raw('GET', 'sys/health')).status, 200);
    }

    it('refuses bad mount requests: wrong types, unknown engines, bad and reserved paths', () =>
      refuses([
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 123 }, mentions: /type/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'no-such-engine' }, mentions: /no-such-engine/ },
        { method: 'POST', path: 'sys/mounts/v1', body: {}, mentions: /type/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'kv', config: { default_lease_ttl: 'soon' } }, mentions: /default_lease_ttl/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'kv', config: 'x' }, mentions: /config/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'kv', local: 'perhaps' }, mentions: /local/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'kv', options: { version: { two: 2 } } }, mentions: /options/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'kv', config: { listing_visibility: 'everyone' } }, mentions: /listing_visibility/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'kv', config: { max_lease_ttl: -5 } }, mentions: /max_lease_ttl/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'cubbyhole' }, mentions: /cubbyhole/ },
        { method: 'POST', path: 'sys/mounts/v1', body: { type: 'system' }, mentions: /system/ },
        { method: 'POST', path: 'sys/mounts/sys/inner', body: { type: 'kv' }, mentions: /reserved/ },
        { method: 'POST', path: 'sys/mounts/auth/inner', body: { type: 'kv' }, mentions: /reserved/ },
        { method: 'POST', path: 'sys/mounts/cubbyhole/inner', body: { type: 'kv' }, mentions: /reserved/ },
        { method: 'POST', path: 'sys/mounts/secret', body: { type: 'kv' }, mentions: /in use/ },
        { method: 'POST', path: 'sys/mounts/secret/inner', body: { type: 'kv' }, mentions: /in use/ },
        { method: 'POST', path: 'sys/mounts/a*b', body: { type: 'kv' }, mentions: /mount path/ },
        { method: 'POST', path: 'sys/mounts/a+b', body: { type: 'kv' }, mentions: /mount path/ },
        { method: 'POST', path: 'sys/mounts/a%25b', body: { type: 'kv' }, mentions: /mount path/ },
        { method: 'POST', path: 'sys/mounts/a%20b', body: { type: 'kv' }, mentions: /mount path/ },
        { method: 'POST', path: 'sys/mounts/a%5Cb', body: { type: 'kv' }, mentions: /mount path/ },
        { method: 'POST', path: `sys/mounts/${'m'.repeat(300)}`, body: { type: 'kv' }, mentions: /too long/ },
        { method: 'POST', path: 'sys/auth/x', body: { type: 'kv' }, mentions: /auth method/ },
        { method: 'POST', path: 'sys/auth/x', body: { type: 'token' }, mentions: /token/ },
        { method: 'POST', path: 'sys/mounts/secret/tune', body: { default_lease_ttl: 'forever' }, mentions: /default_lease_ttl/ },
        { method: 'POST', path: 'sys/mounts/secret/tune', body: { default_lease_ttl: '10h', max_lease_ttl: '1h' }, mentions: /default_lease_ttl/ },
        { method: 'POST', path: 'sys/mounts/secret/tune', body: { max_lease_ttl: -5 }, mentions: /max_lease_ttl/ },
        { method: 'POST', path: 'sys/mounts/secret/tune', body: { options: { version: '0' } }, mentions: /version/ },
        { method: 'POST', path: 'sys/mounts/missing/tune', body: { description: 'x' }, mentions: /missing/ },
        { method: 'DELETE', path: 'sys/mounts/cubbyhole', mentions: /cubbyhole/ },
        { method: 'DELETE', path: 'sys/mounts/sys', mentions: /sys/ },
        { method: 'DELETE', path: 'sys/auth/token', mentions: /token/ },
        { method: 'POST', path: 'sys/remount', body: { from: '', to: 'x' }, mentions: /from/ },
        { method: 'POST', path: 'sys/remount', body: { from: 5, to: 'x' }, mentions: /from/ },
        { method: 'POST', path: 'sys/remount', body: { from: 'missing', to: 'y' }, mentions: /missing/ },
        { method: 'POST', path: 'sys/remount', body: { from: 'secret', to: 'sys/x' }, mentions: /reserved/ },
        { method: 'POST', path: 'sys/remount', body: { from: 'secret', to: 'cubbyhole/x' }, mentions: /reserved/ },
        { method: 'POST', path: 'sys/remount', body: { from: 'secret', to: 'auth/x' }, mentions: /auth/ },
        { method: 'POST', path: 'sys/remount', body: { from: 'cubbyhole', to: 'c2' }, mentions: /cubbyhole/ },
        { method: 'POST', path: 'sys/remount', body: { from: 'secret', to: 'a//b' }, mentions: /mount path/ },
      ]));

    it('refuses invalid policies and policy names', () =>
      refuses([
        { method: 'PUT', path: 'sys/policy/bad', body: { policy: 'path "x" { capabilities = ["fly"] }' }, mentions: /fly/ },
        { method: 'PUT', path: 'sys/policy/bad', body: { policy: 'path {' } },
        { method: 'PUT', path: 'sys/policy/bad', body: { policy: 123 }, mentions: /policy/ },
        { method: 'PUT', path: 'sys/policy/bad', body: {}, mentions: /policy/ },
        { method: 'PUT', path: 'sys/policy/bad', body: { policy: 'path "x" { capabilities = "read" }' }, mentions: /capabilities/ },
        { method: 'PUT', path: 'sys/policies/acl/bad', body: { policy: '{"path": 1}' } },
        { method: 'PUT', path: 'sys/policies/acl/bad', body: { policy: 'path "a" { capabilities = ["read"] } trailing' } },
        { method: 'PUT', path: 'sys/policies/acl/bad', body: { policy: '"unterminated' } },
        { method: 'PUT', path: 'sys/policies/acl/a%20b', body: { policy: 'path "a" { capabilities = ["read"] }' }, mentions: /name/ },
        { method: 'PUT', path: 'sys/policies/acl/a,b', body: { policy: 'path "a" { capabilities = ["read"] }' }, mentions: /name/ },
        { method: 'PUT', path: `sys/policies/acl/${'p'.repeat(129)}`, body: { policy: 'path "a" { capabilities = ["read"] }' }, mentions: /128/ },
        { method: 'DELETE', path: 'sys/policy/default', mentions: /default/ },
        { method: 'DELETE', path: 'sys/policies/acl/root', mentions: /root/ },
      ]));

    it('refuses bad token requests: types, negative or fractional counts, bad durations and ids', () =>
      refuses([
        { method: 'POST', path: 'auth/token/create', body: { ttl: 'abc' }, mentions: /ttl/ },
        { method: 'POST', path: 'auth/token/create', body: { ttl: -1 }, mentions: /ttl/ },
        { method: 'POST', path: 'auth/token/create', body: { ttl: 1e308 }, mentions: /ttl/ },
        { method: 'POST', path: 'auth/token/create', body: { num_uses: -1 }, mentions: /num_uses/ },
        { method: 'POST', path: 'auth/token/create', body: { num_uses: 'x' }, mentions: /num_uses/ },
        { method: 'POST', path: 'auth/token/create', body: { num_uses: 1.5 }, mentions: /num_uses/ },
        { method: 'POST', path: 'auth/token/create', body: { type: 'batch' }, mentions: /batch/ },
        { method: 'POST', path: 'auth/token/create', body: { type: 'weird' }, mentions: /weird/ },
        { method: 'POST', path: 'auth/token/create', body: { explicit_max_ttl: '1x' }, mentions: /explicit_max_ttl/ },
        { method: 'POST', path: 'auth/token/create', body: { period: 'z' }, mentions: /period/ },
        { method: 'POST', path: 'auth/token/create', body: { meta: 'notamap' }, mentions: /meta/ },
        { method: 'POST', path: 'auth/token/create', body: { meta: { a: 1 } }, mentions: /meta/ },
        { method: 'POST', path: 'auth/token/create', body: { renewable: 'perhaps' }, mentions: /renewable/ },
        { method: 'POST', path: 'auth/token/create', body: { no_parent: 'maybe' }, mentions: /no_parent/ },
        { method: 'POST', path: 'auth/token/create', body: { policies: [1, 2] }, mentions: /policies/ },
        { method: 'POST', path: 'auth/token/create', body: { policies: 5 }, mentions: /policies/ },
        { method: 'POST', path: 'auth/token/create', body: { role_name: 'missing-role' }, mentions: /missing-role/ },
        { method: 'POST', path: 'auth/token/create', body: { id: 'has space' }, mentions: /id/ },
        { method: 'POST', path: 'auth/token/create', body: { id: 'x'.repeat(600) }, mentions: /id/ },
        { method: 'POST', path: 'auth/token/create/missing-role', body: {}, mentions: /missing-role/ },
        { method: 'POST', path: 'auth/token/lookup', body: { token: 5 }, mentions: /token/ },
        { method: 'POST', path: 'auth/token/lookup-accessor', body: { accessor: '../x' }, mentions: /accessor/ },
        { method: 'POST', path: 'auth/token/renew', body: {}, mentions: /token/ },
        { method: 'POST', path: 'auth/token/renew', body: { token: liveToken, increment: 'abc' }, mentions: /increment/ },
        { method: 'POST', path: 'auth/token/renew', body: { token: liveToken, increment: -60 }, mentions: /increment/ },
        { method: 'POST', path: 'auth/token/revoke-accessor', body: { accessor: '' }, mentions: /accessor/ },
        { method: 'POST', path: 'auth/token/revoke-accessor', body: { accessor: 'no-such-accessor' }, mentions: /accessor/ },
        { method: 'POST', path: 'auth/token/roles/r', body: { allowed_policies: 5 }, mentions: /allowed_policies/ },
        { method: 'POST', path: 'auth/token/roles/r', body: { token_bound_cidrs: ['999.1.1.1/99'] }, mentions: /999/ },
        { method: 'POST', path: 'auth/token/roles/r', body: { period: 'x' }, mentions: /period/ },
        { method: 'POST', path: 'auth/token/roles/r', body: { token_num_uses: 'many' }, mentions: /token_num_uses/ },
        { method: 'POST', path: 'sys/capabilities-self', body: {}, mentions: /path/ },
        { method: 'POST', path: 'sys/capabilities-self', body: { paths: ['a//b'] }, mentions: /path/ },
        { method: 'POST', path: 'sys/capabilities', body: { token: '', path: 'x' }, mentions: /token/ },
        { method: 'POST', path: 'sys/capabilities', body: { token: 'nope', path: 'x' }, mentions: /token/ },
        { method: 'POST', path: 'sys/capabilities-accessor', body: { accessor: 'nope', path: 'x' }, mentions: /accessor/ },
      ]));

    it('refuses malformed bodies, bad paths and headers, and bad secret writes', () =>
      refuses([
        { method: 'PUT', path: 'kv1/new', body: '{"a":', mentions: /JSON/ },
        { method: 'PUT', path: 'kv1/new', body: '[1,2]', mentions: /object/ },
        { method: 'PUT', path: 'kv1/new', body: '"text"', mentions: /object/ },
        { method: 'PUT', path: 'kv1/new', body: {}, mentions: /data/ },
        { method: 'PUT', path: 'kv1/', body: { a: 1 }, mentions: /path/ },
        { method: 'PUT', path: 'kv1/new/', body: { a: 1 }, mentions: /path/ },
        { method: 'PUT', path: 'cubbyhole/', body: { a: 1 }, mentions: /path/ },
        { method: 'GET', path: 'sys/mounts', headers: { 'X-Vault-Wrap-TTL': 'abc' }, mentions: /Wrap-TTL/ },
        { method: 'GET', path: 'sys/mounts', headers: { 'X-Vault-Wrap-TTL': '-1' }, mentions: /Wrap-TTL/ },
        { method: 'PUT', path: 'kv1/new', body: { a: 1 }, headers: { 'X-Vault-Wrap-TTL': '800h' }, mentions: /wrapping TTL/ },
        { method: 'PUT', path: 'kv1/a%2F%2Fb', body: { a: 1 }, mentions: /path/ },
        { method: 'PUT', path: 'kv1/a%00b', body: { a: 1 }, mentions: /control/ },
        { method: 'PUT', path: 'sys/init', body: { secret_shares: 1, secret_threshold: 1 }, mentions: /initialized/ },
        { method: 'PUT', path: 'sys/rekey/update', body: { key: 'zz', nonce: 'x' } },
        { method: 'PUT', path: 'sys/generate-root/update', body: { key: 'zz', nonce: 'x' } },
        { method: 'PUT', path: 'sys/generate-root/attempt', body: { otp: 'short' }, mentions: /otp/ },
        { method: 'PUT', path: 'sys/rekey/init', body: { secret_shares: 0, secret_threshold: 0 }, mentions: /secret_shares/ },
        { method: 'PUT', path: 'sys/rekey/init', body: { secret_shares: 3, secret_threshold: 5 }, mentions: /secret_threshold/ },
      ]));

    it('refuses bad kv version 2 writes, settings and list parameters', () =>
      refuses([
        { method: 'PUT', path: 'secret/data/new', body: { data: 'str' }, mentions: /data/ },
        { method: 'PUT', path: 'secret/data/new', body: { data: [1] }, mentions: /data/ },
        { method: 'PUT', path: 'secret/data/new', body: {}, mentions: /data/ },
        { method: 'PUT', path: 'secret/data/existing', body: { data: { a: 1 }, options: { cas: 0 } }, mentions: /check-and-set/ },
        // A negative cas is a version no secret has: Vault's mismatch answer, which clients match on.
        { method: 'PUT', path: 'secret/data/existing', body: { data: { a: 1 }, options: { cas: -1 } }, mentions: /check-and-set parameter did not match the current version/ },
        { method: 'PUT', path: 'secret/data/existing', body: { data: { a: 1 }, options: { cas: 1.5 } }, mentions: /options\.cas/ },
        { method: 'PUT', path: 'secret/data/existing', body: { data: { a: 1 }, options: 'x' }, mentions: /options/ },
        { method: 'POST', path: 'secret/config', body: { max_versions: -1 }, mentions: /max_versions/ },
        { method: 'POST', path: 'secret/config', body: { delete_version_after: 'soon' }, mentions: /delete_version_after/ },
        { method: 'POST', path: 'secret/metadata/existing', body: { max_versions: 'x' }, mentions: /max_versions/ },
        { method: 'POST', path: 'secret/delete/existing', body: { versions: 'x' }, mentions: /versions/ },
        { method: 'POST', path: 'secret/destroy/existing', body: { versions: [-1] }, mentions: /versions/ },
        { method: 'GET', path: 'secret/data/existing?version=abc', mentions: /version/ },
        { method: 'LIST', path: 'secret/metadata/?limit=10001', mentions: /limit/ },
        { method: 'LIST', path: 'secret/metadata/?limit=-1', mentions: /limit/ },
        { method: 'LIST', path: 'kv1/?limit=abc', mentions: /limit/ },
      ]));
  });

  describe('on an uninitialized server: init parameters and unseal shares', () => {
    let server: RunningServer;
    let api: ApiClient;
    before(async () => {
      server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, undefined, createLogger({ level: 'off' }));
      api = createApiClient({ address: server.address });
    });
    after(() => server.close());

    const stored = () => physicalSnapshot(server.core.physical);

    it('refuses unseal before init, and bad init parameters, writing nothing', async () => {
      const before = await stored();
      const cases: [Body, RegExp][] = [
        [{ secret_shares: 3, secret_threshold: 5 }, /secret_threshold/],
        [{ secret_shares: 0, secret_threshold: 0 }, /secret_shares/],
        [{ secret_shares: 'x', secret_threshold: 2 }, /secret_shares/],
        [{ secret_shares: 2, secret_threshold: 1 }, /secret_threshold/],
        [{ secret_shares: 256, secret_threshold: 2 }, /secret_shares/],
        [{ secret_shares: -3, secret_threshold: 2 }, /secret_shares/],
        [{ secret_shares: 2.5, secret_threshold: 2 }, /secret_shares/],
        [{ secret_shares: 3, secret_threshold: 2, pgp_keys: ['x', 'y', 'z'] }, /PGP/],
        [{}, /secret_shares/],
      ];
      for (const [body, mentions] of cases) {
        const res = await api.raw('PUT', 'sys/init', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status}`);
        assert.match(assertErrorBody(res, JSON.stringify(body)).join(' '), mentions);
      }
      const unsealRes = await api.raw('PUT', 'sys/unseal', { key: Buffer.alloc(32, 7).toString('base64') });
      assert.equal(unsealRes.status, 400);
      assert.match(assertErrorBody(unsealRes, 'unseal').join(' '), /not initialized/);
      assert.deepEqual(await stored(), before);
      assert.equal((await api.raw('GET', 'sys/init')).body!.initialized, false);
    });

    it('refuses missing, malformed, wrong-length, zero-coordinate and repeated shares without progress', async () => {
      const init = await api.raw<{ keys: string[]; keys_base64: string[] }>('PUT', 'sys/init', { secret_shares: 3, secret_threshold: 2 });
      assert.equal(init.status, 200);
      const { keys, keys_base64: keysB64 } = init.body!;
      const before = await stored();
      const progress = async () => (await api.raw('GET', 'sys/seal-status')).body!.progress;
      const zeroX = Buffer.from(keys[1]!, 'hex');
      zeroX[zeroX.length - 1] = 0;
      for (const [body, mentions] of [
        [{}, /key/],
        [{ key: '' }, /key/],
        [{ key: 'not-a-key!' }, /hex or base64/],
        [{ key: 5 }, /key/],
        [{ key: Buffer.alloc(10, 1).toString('base64') }, /bytes/],
        [{ key: zeroX.toString('hex') }, /invalid key share/],
      ] as [Body, RegExp][]) {
        const res = await api.raw('PUT', 'sys/unseal', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(assertErrorBody(res, JSON.stringify(body)).join(' '), mentions);
        assert.equal(await progress(), 0);
      }
      assert.equal((await api.raw('PUT', 'sys/unseal', { key: keys[0] })).body!.progress, 1);
      for (const repeat of [keys[0]!, keysB64[0]!]) {
        const res = await api.raw('PUT', 'sys/unseal', { key: repeat });
        assert.equal(res.status, 400);
        assert.match(assertErrorBody(res, 'repeated share').join(' '), /already/);
        assert.equal(await progress(), 1, 'a repeated share counted');
      }
      // A well-formed share that is not one of ours: caught when the threshold is reached.
      const forged = Buffer.from(keys[1]!, 'hex');
      forged[0] = forged[0]! ^ 0xff;
      const res = await api.raw('PUT', 'sys/unseal', { key: forged.toString('hex') });
      assert.equal(res.status, 400);
      assert.match(assertErrorBody(res, 'forged share').join(' '), /did not reconstruct/);
      assert.equal(await progress(), 0);
      assert.equal((await api.raw('GET', 'sys/seal-status')).body!.sealed, true);
      assert.deepEqual(await stored(), before, 'a refused share wrote to storage');
      for (const key of [keys[2]!, keys[0]!]) await api.raw('PUT', 'sys/unseal', { key });
      assert.equal((await api.raw('GET', 'sys/seal-status')).body!.sealed, false);
    });
  });
});
