/**
 * Security invariant: access is denied unless a policy grants it, and only root tokens carry
 * the root policy (no token creation, role or policy write can hand it out).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../../src/api/client.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { assertErrorBody, createToken, mountKv1, type Auth, type Body } from './helpers.js';

describe('Default deny, and only root tokens carry the root policy', () => {
  let t: TestServer;
  let plain: ApiClient;
  let maker: ApiClient;
  const accessors = async () => ((await t.root.list('auth/token/accessors'))!.data!.keys as string[]).sort();

  before(async () => {
    t = await startDevServer();
    await mountKv1(t.root);
    await t.root.write('kv1/app/db', { password: 'x' });
    await t.root.write('sys/policies/acl/maker', {
      policy: [
        'path "auth/token/create" { capabilities = ["create", "update"] }',
        'path "auth/token/create-orphan" { capabilities = ["create", "update"] }',
        'path "auth/token/create/*" { capabilities = ["create", "update"] }',
        'path "sys/policy/*" { capabilities = ["create", "update"] }',
        'path "sys/policies/acl/*" { capabilities = ["create", "update"] }',
      ].join('\n'),
    });
    await t.root.write('sys/policies/acl/app-reader', { policy: 'path "kv1/app/*" { capabilities = ["read"] }' });
    plain = t.client((await createToken(t.root, { policies: ['default'] })).client_token);
    maker = t.client((await createToken(t.root, { policies: ['maker'] })).client_token);
  });
  after(() => t.close());

  it('answers 403 to a default-policy token on mounts, secrets, policies and token creation', async () => {
    const cases: ['GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST', string, Body?][] = [
      ['GET', 'sys/mounts'],
      ['POST', 'sys/mounts/mine', { type: 'kv' }],
      ['DELETE', 'sys/mounts/secret'],
      ['GET', 'sys/auth'],
      ['GET', 'kv1/app/db'],
      ['PUT', 'kv1/app/db', { password: 'mine' }],
      ['GET', 'secret/data/app/db'],
      ['PUT', 'secret/data/app/db', { data: { password: 'mine' } }],
      ['LIST', 'secret/metadata/'],
      ['LIST', 'kv1/'],
      ['DELETE', 'kv1/app/db'],
      ['GET', 'sys/policy'],
      ['GET', 'sys/policy/default'],
      ['PUT', 'sys/policy/mine', { policy: 'path "*" { capabilities = ["sudo"] }' }],
      ['PUT', 'sys/policies/acl/default', { policy: 'path "*" { capabilities = ["read"] }' }],
      ['POST', 'auth/token/create', {}],
      ['POST', 'auth/token/create-orphan', {}],
      ['LIST', 'auth/token/accessors'],
      ['POST', 'auth/token/lookup', { token: t.rootToken }],
      ['POST', 'sys/remount', { from: 'secret', to: 'mine' }],
      ['PUT', 'sys/rotate'],
      ['GET', 'sys/key-status'],
      ['PUT', 'sys/seal'],
      ['GET', 'no/such/mount'],
    ];
    for (const [method, path, body] of cases) {
      const res = await plain.raw(method, path, body);
      assert.equal(res.status, 403, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body, { errors: ['permission denied'] }, `${method} ${path}`);
    }
    assert.equal((await t.root.read('kv1/app/db'))!.data!.password, 'x');
  });

  it('reports deny from sys/capabilities-self for a path no policy names', async () => {
    const res = await plain.raw('POST', 'sys/capabilities-self', { paths: ['kv1/app/db', 'some/arbitrary/path'] });
    assert.equal(res.status, 200);
    const data = res.body!.data as Record<string, string[]>;
    assert.deepEqual(data['kv1/app/db'], ['deny']);
    assert.deepEqual(data['some/arbitrary/path'], ['deny']);
  });

  it('answers 403 with no token, an unknown token or a revoked token', async () => {
    const doomed = await createToken(t.root, { policies: ['app-reader'] });
    const c = t.client(doomed.client_token);
    assert.equal((await c.raw('GET', 'kv1/app/db')).status, 200);
    assert.equal((await t.root.raw('POST', 'auth/token/revoke', { token: doomed.client_token })).status, 204);
    for (const client of [t.anon, t.client('hvs.notarealtokennotarealtoken'), t.client(''), c]) {
      assert.equal((await client.raw('GET', 'kv1/app/db')).status, 403);
    }
  });

  it('grants a narrow policy exactly its paths and capabilities', async () => {
    const c = t.client((await createToken(t.root, { policies: ['app-reader'] })).client_token);
    assert.equal((await c.raw('GET', 'kv1/app/db')).status, 200);
    assert.equal((await c.raw('PUT', 'kv1/app/db', { password: 'mine' })).status, 403);
    assert.equal((await c.raw('DELETE', 'kv1/app/db')).status, 403);
    assert.equal((await c.raw('LIST', 'kv1/app/')).status, 403);
    assert.equal((await c.raw('GET', 'kv1/other')).status, 403);
    assert.equal((await c.raw('GET', 'sys/mounts')).status, 403);
  });

  it('refuses a non-root token that asks for the root policy in any spelling', async () => {
    // Control: the maker may create tokens, so what follows is refused for the policy alone.
    assert.deepEqual((await createToken(maker, { policies: ['default'] })).policies, ['default']);
    const before = await accessors();
    for (const path of ['auth/token/create', 'auth/token/create-orphan']) {
      for (const policies of [['root'], ['ROOT'], [' root'], ['Root '], 'root', 'default,root', ['default', 'rOOt'], ['maker', 'root']]) {
        const res = await maker.raw('POST', path, { policies });
        assert.ok(res.status >= 400 && res.status < 500, `${path} ${JSON.stringify(policies)} → ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body!.auth, undefined);
        assertErrorBody(res, `${path} ${JSON.stringify(policies)}`);
      }
    }
    assert.deepEqual(await accessors(), before, 'a refused create still made a token');
  });

  it('gives no root policy through a token role to a non-root token', async () => {
    assert.equal((await t.root.raw('POST', 'auth/token/roles/wide', { allowed_policies: ['root', 'default'] })).status, 204);
    const res = await maker.raw<{ auth?: Auth }>('POST', 'auth/token/create/wide', {});
    if (res.status === 200) assert.ok(!res.body!.auth!.policies.includes('root'), JSON.stringify(res.body!.auth));
    else assert.ok(res.status >= 400 && res.status < 500, JSON.stringify(res.body));
    for (const policies of [['root'], ['ROOT'], 'default,root']) {
      const refused = await maker.raw('POST', 'auth/token/create/wide', { policies });
      assert.ok(refused.status >= 400 && refused.status < 500, `${JSON.stringify(policies)} → ${refused.status}`);
      assert.equal(refused.body!.auth, undefined);
    }
  });

  it('refuses to write or delete a policy named root in any casing, even for a root token', async () => {
    const policy = 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }';
    for (const client of [t.root, maker]) {
      for (const name of ['root', 'ROOT', 'Root', '%20root', 'root%20', 'rOoT']) {
        for (const prefix of ['sys/policy/', 'sys/policies/acl/']) {
          const res = await client.raw('PUT', `${prefix}${name}`, { policy });
          assert.equal(res.status, 400, `PUT ${prefix}${name} → ${res.status} ${JSON.stringify(res.body)}`);
          assertErrorBody(res, `${prefix}${name}`);
        }
      }
    }
    for (const name of ['root', 'ROOT']) assert.equal((await t.root.raw('DELETE', `sys/policy/${name}`)).status, 400);
    assert.notEqual((await t.root.raw('GET', 'sys/policies/acl/root')).status, 200, 'the root policy has no stored text');
    // The root policy still means root, and only for root tokens.
    assert.equal((await maker.raw('GET', 'sys/mounts')).status, 403);
    assert.equal((await t.root.raw('GET', 'sys/mounts')).status, 200);
  });
});
