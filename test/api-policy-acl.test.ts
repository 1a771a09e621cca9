import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

async function tokenWith(t: TestServer, policies: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.root.write('auth/token/create', { policies, ...extra });
  return (res!.auth as { client_token: string }).client_token;
}

describe('policies and ACL enforcement over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('denies by default: a token with only the default policy cannot list mounts', async () => {
    const token = await tokenWith(t, ['default']);
    const res = await t.client(token).raw('GET', 'sys/mounts');
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { errors: ['permission denied'] });
  });

  it('denies a request with no token or an unknown token', async () => {
    assert.equal((await t.anon.raw('GET', 'sys/mounts')).status, 403);
    assert.equal((await t.client('hvs.notarealtokennotarealtoken').raw('GET', 'sys/mounts')).status, 403);
  });

  it('writes, reads, lists and deletes a policy in both API shapes', async () => {
    const hcl = 'path "sys/mounts" { capabilities = ["read"] }\npath "cubbyhole/*" { capabilities = ["create", "read", "update", "list"] }';
    assert.equal((await t.root.raw('PUT', 'sys/policy/mounts-reader', { policy: hcl })).status, 204);
    const legacy = await t.root.read('sys/policy/mounts-reader');
    assert.equal(legacy!.name, 'mounts-reader');
    assert.equal(legacy!.rules, hcl);
    const acl = await t.root.read('sys/policies/acl/mounts-reader');
    assert.equal(acl!.data!.policy, hcl);
    const list = await t.root.list('sys/policies/acl');
    assert.ok((list!.data!.keys as string[]).includes('mounts-reader'));
    const legacyList = await t.root.read('sys/policy');
    assert.ok((legacyList!.policies as string[]).includes('root'));
  });

  it('grants exactly what the policy says', async () => {
    const token = await tokenWith(t, ['mounts-reader']);
    const c = t.client(token);
    assert.equal((await c.raw('GET', 'sys/mounts')).status, 200);
    assert.equal((await c.raw('POST', 'sys/mounts/kv1', { type: 'cubbyhole' })).status, 403);
    assert.equal((await c.raw('GET', 'sys/policy')).status, 403);
  });

  it('refuses invalid policies with 400 and changes nothing', async () => {
    for (const policy of ['path "x" { capabilities = ["fly"] }', 'path "x" {', 'path "a*b" { capabilities = ["read"] }']) {
      const res = await t.root.raw<{ errors: string[] }>('PUT', 'sys/policies/acl/broken', { policy });
      assert.equal(res.status, 400, policy);
      assert.ok(res.body!.errors[0]!.length > 0);
    }
    assert.equal((await t.root.raw('GET', 'sys/policies/acl/broken')).status, 404);
  });

  it('never lets a policy named like root grant root', async () => {
    for (const name of ['root', 'ROOT', ' root']) {
      const res = await t.root.raw('PUT', `sys/policies/acl/${encodeURIComponent(name)}`, { policy: 'path "*" { capabilities = ["sudo","read"] }' });
      assert.equal(res.status, 400, name);
    }
    assert.equal((await t.root.raw('DELETE', 'sys/policies/acl/default')).status, 400);
  });

  it('reports capabilities for self, a token and an accessor', async () => {
    const created = await t.root.write('auth/token/create', { policies: ['mounts-reader'] });
    const token = (created!.auth as { client_token: string }).client_token;
    const accessor = (created!.auth as { accessor: string }).accessor;
    const self = await t.client(token).write('sys/capabilities-self', { paths: ['sys/mounts', 'sys/policy'] });
    assert.deepEqual(self!.data!['sys/mounts'], ['read']);
    assert.deepEqual(self!.data!['sys/policy'], ['deny']);
    const byToken = await t.root.write('sys/capabilities', { token, path: 'cubbyhole/x' });
    // Rules for the same pattern merge across policies: `default` adds delete on cubbyhole/*.
    assert.deepEqual((byToken!.data!.capabilities as string[]).sort(), ['create', 'delete', 'list', 'read', 'update']);
    const byAccessor = await t.root.write('sys/capabilities-accessor', { accessor, path: 'sys/mounts' });
    assert.deepEqual(byAccessor!.capabilities, ['read']);
    const root = await t.root.write('sys/capabilities-self', { path: 'anything/at/all' });
    assert.deepEqual(root!.data!.capabilities, ['root']);
  });

  it('checks allowed, denied and required parameters', async () => {
    const policy = `path "cubbyhole/params" {
      capabilities = ["create", "update"]
      allowed_parameters = { "color" = ["red", "green"], "size" = [] }
      required_parameters = ["color"]
    }`;
    await t.root.write('sys/policies/acl/params', { policy });
    const c = t.client(await tokenWith(t, ['params']));
    assert.equal((await c.raw('PUT', 'cubbyhole/params', { color: 'red', size: 3 })).status, 204);
    assert.equal((await c.raw('PUT', 'cubbyhole/params', { color: 'blue' })).status, 403);
    assert.equal((await c.raw('PUT', 'cubbyhole/params', { size: 1 })).status, 403);
    assert.equal((await c.raw('PUT', 'cubbyhole/params', { color: 'red', other: 1 })).status, 403);
  });

  it('requires sudo on sudo paths even with every other capability', async () => {
    await t.root.write('sys/policies/acl/no-sudo', { policy: 'path "sys/*" { capabilities = ["create","read","update","delete","list"] }' });
    await t.root.write('sys/policies/acl/with-sudo', { policy: 'path "sys/*" { capabilities = ["create","read","update","delete","list","sudo"] }' });
    const plain = t.client(await tokenWith(t, ['no-sudo']));
    assert.equal((await plain.raw('POST', 'sys/auth/tok2', { type: 'token' })).status, 403);
    assert.equal((await plain.raw('PUT', 'sys/rotate')).status, 403);
    const sudo = t.client(await tokenWith(t, ['with-sudo']));
    assert.equal((await sudo.raw('PUT', 'sys/rotate')).status, 204);
  });
});
