import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Auth = { client_token: string; accessor: string; policies: string[]; lease_duration: number; renewable: boolean; orphan: boolean };

describe('tokens over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  const create = async (body: Record<string, unknown>, token?: string) => {
    const c = token ? t.client(token) : t.root;
    return (await c.write('auth/token/create', body))!.auth as Auth;
  };

  it('creates a token with the auth block clients parse', async () => {
    const auth = await create({ policies: ['default'], ttl: '1h', meta: { team: 'a' }, display_name: 'ci' });
    assert.match(auth.client_token, /^hvs\./);
    assert.equal(auth.lease_duration, 3600);
    assert.equal(auth.renewable, true);
    assert.deepEqual(auth.policies, ['default']);
  });

  it('looks a token up by itself, by token and by accessor, with Vault field types', async () => {
    const auth = await create({ policies: ['default'], ttl: 600 });
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.id, auth.client_token);
    assert.equal(self.accessor, auth.accessor);
    assert.ok(Number.isInteger(self.ttl) && (self.ttl as number) <= 600 && (self.ttl as number) > 590);
    assert.match(self.expire_time as string, /^\d{4}-\d\d-\d\dT/);
    assert.equal(self.type, 'service');
    const byAccessor = (await t.root.write('auth/token/lookup-accessor', { accessor: auth.accessor }))!.data!;
    assert.equal(byAccessor.id, '');
    const rootSelf = (await t.root.read('auth/token/lookup-self'))!.data!;
    assert.equal(rootSelf.expire_time, null);
    assert.equal(rootSelf.ttl, 0);
    assert.deepEqual(rootSelf.policies, ['root']);
  });

  it('revokes children with their parent, but not orphans', async () => {
    await t.root.write('sys/policies/acl/token-maker', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
    const parent = await create({ policies: ['default', 'token-maker'] });
    const child = await create({ policies: ['default'] }, parent.client_token);
    const orphan = (await t.root.write('auth/token/create-orphan', { policies: ['default'] }))!.auth as Auth;
    assert.equal(orphan.orphan, true);
    assert.equal((await t.root.raw('POST', 'auth/token/revoke', { token: parent.client_token })).status, 204);
    assert.equal((await t.client(child.client_token).raw('GET', 'auth/token/lookup-self')).status, 403);
    assert.equal((await t.client(orphan.client_token).raw('GET', 'auth/token/lookup-self')).status, 200);
  });

  it('stops a token after its last use', async () => {
    const auth = await create({ policies: ['default'], num_uses: 2 });
    const c = t.client(auth.client_token);
    assert.equal((await c.raw('GET', 'auth/token/lookup-self')).status, 200);
    assert.equal((await c.raw('GET', 'auth/token/lookup-self')).status, 200);
    assert.equal((await c.raw('GET', 'auth/token/lookup-self')).status, 403);
  });

  it('refuses a child token with a policy its parent does not hold', async () => {
    const parent = await create({ policies: ['default', 'token-maker'] });
    const res = await t.client(parent.client_token).raw<{ errors: string[] }>('POST', 'auth/token/create', { policies: ['other'] });
    assert.ok(res.status === 400 || res.status === 403, String(res.status));
  });

  it('refuses no_parent without root or sudo with Vault\u2019s 400 and message, and allows it with sudo', async () => {
    const parent = await create({ policies: ['default', 'token-maker'] });
    const res = await t.client(parent.client_token).raw<{ errors: string[] }>('POST', 'auth/token/create', { no_parent: true, policies: ['default'] });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(res.body!.errors, ['root or sudo privileges required to create orphan token']);
    await t.root.write('sys/policies/acl/token-sudo', { policy: 'path "auth/token/create" { capabilities = ["update", "sudo"] }' });
    const sudoer = await create({ policies: ['default', 'token-sudo'] });
    const orphan = await create({ no_parent: true, policies: ['default'] }, sudoer.client_token);
    assert.equal(orphan.orphan, true);
  });

  it('renews a renewable token and revokes itself', async () => {
    const auth = await create({ policies: ['default'], ttl: 60, explicit_max_ttl: 120 });
    const c = t.client(auth.client_token);
    const renewed = (await c.write('auth/token/renew-self', { increment: 100 }))!.auth as Auth;
    assert.ok(renewed.lease_duration <= 120 && renewed.lease_duration >= 90, String(renewed.lease_duration));
    assert.equal((await c.raw('POST', 'auth/token/revoke-self')).status, 204);
    assert.equal((await c.raw('GET', 'auth/token/lookup-self')).status, 403);
  });

  it('keeps each token’s cubbyhole private and destroys it with the token', async () => {
    const a = await create({ policies: ['default'] });
    const b = await create({ policies: ['default'] });
    await t.client(a.client_token).write('cubbyhole/secret', { pw: 'hunter2' });
    assert.deepEqual((await t.client(a.client_token).read('cubbyhole/secret'))!.data, { pw: 'hunter2' });
    assert.equal((await t.client(b.client_token).raw('GET', 'cubbyhole/secret')).status, 404);
    const keysBefore = await t.server.core.router.get('cubbyhole/')!.storage.list('');
    await t.root.write('auth/token/revoke', { token: a.client_token });
    const keysAfter = await t.server.core.router.get('cubbyhole/')!.storage.list('');
    assert.equal(keysAfter.length, keysBefore.length - 1);
  });

  it('never stores a token id in clear, even behind the barrier', async () => {
    const auth = await create({ policies: ['default'] });
    const barrier = t.server.core.barrier;
    const stack = ['sys/token/'];
    let seen = 0;
    while (stack.length) {
      const prefix = stack.pop()!;
      for (const key of await barrier.list(prefix)) {
        if (key.endsWith('/')) stack.push(prefix + key);
        else {
          seen++;
          assert.ok(!(prefix + key).includes(auth.client_token.slice(4)), 'token in a key');
          const value = await barrier.get(prefix + key);
          assert.ok(!value!.toString('latin1').includes(auth.client_token.slice(4)), 'token in a value');
        }
      }
    }
    assert.ok(seen > 0);
  });
});
