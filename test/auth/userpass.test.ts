/** The userpass auth method over HTTP: users, logins, and the tokens they get. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { assertAuthBlock, enable, expectError, expectStatus, login, type Body } from './helpers.js';

describe('userpass over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'userpass', 'userpass');
    await t.root.write('sys/policies/acl/dev', { policy: 'path "secret/data/dev/*" { capabilities = ["read"] }' });
  });
  after(() => t.close());

  const up = (path: string) => `auth/userpass/${path}`;

  it('runs a user through create, read, list, login, password change and delete', async () => {
    await expectStatus(t.root.raw('POST', up('users/Alice'), { password: 'pw-one', token_policies: 'dev', token_ttl: '1h', token_max_ttl: '2h' }), 204);
    const read = await expectStatus(t.root.raw<Body>('GET', up('users/alice')), 200);
    assert.deepEqual(read.data, {
      token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 7200, token_no_default_policy: false, token_num_uses: 0,
      token_period: 0, token_policies: ['dev'], token_ttl: 3600, token_type: 'default',
    });
    assert.ok(!JSON.stringify(read).includes('pw-one'));
    assert.deepEqual((await t.root.list(up('users')))!.data!.keys, ['alice']);

    // Usernames are case-insensitive, in the path and at login.
    const auth = await login(t.anon, up('login/ALICE'), { password: 'pw-one' });
    assertAuthBlock(auth);
    assert.deepEqual(auth.policies, ['default', 'dev']);
    assert.deepEqual(auth.token_policies, ['default', 'dev']);
    assert.deepEqual(auth.metadata, { username: 'alice' });
    assert.equal(auth.lease_duration, 3600);
    assert.equal(auth.renewable, true);
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'userpass-alice');
    assert.equal(self.path, 'auth/userpass/login/ALICE');
    assert.deepEqual(self.meta, { username: 'alice' });

    await expectStatus(t.root.raw('POST', up('users/alice/password'), { password: 'pw-two' }), 204);
    await expectError(t.anon.raw('POST', up('login/alice'), { password: 'pw-one' }), 400, /^invalid username or password$/);
    await login(t.anon, up('login/alice'), { password: 'pw-two' });

    await expectStatus(t.root.raw('POST', up('users/alice/policies'), { token_policies: ['dev', 'ops'] }), 204);
    assert.deepEqual((await login(t.anon, up('login/alice'), { password: 'pw-two' })).policies, ['default', 'dev', 'ops']);

    await expectStatus(t.root.raw('DELETE', up('users/alice')), 204);
    await expectStatus(t.root.raw('GET', up('users/alice')), 404);
    await expectError(t.anon.raw('POST', up('login/alice'), { password: 'pw-two' }), 400, /^invalid username or password$/);
  });

  it('answers the deprecated field names a user was written with, as hvac’s legacy helpers send them', async () => {
    await expectStatus(t.root.raw('POST', up('users/legacy'), { password: 'pw', policies: 'dev,ops', ttl: 60, max_ttl: 120 }), 204);
    const data = (await t.root.read(up('users/legacy')))!.data!;
    assert.deepEqual(data.policies, ['dev', 'ops']);
    assert.deepEqual(data.token_policies, ['dev', 'ops']);
    assert.equal(data.ttl, 60);
    assert.equal(data.max_ttl, 120);
    await expectStatus(t.root.raw('POST', up('users/legacy'), { token_policies: 'dev' }), 204);
    assert.equal((await t.root.read(up('users/legacy')))!.data!.policies, undefined);
  });

  it('applies every token parameter to the tokens logins get', async () => {
    await t.root.write(up('users/params'), {
      password: 'pw', token_policies: 'dev', token_ttl: 30, token_max_ttl: 60, token_num_uses: 2, token_no_default_policy: true, token_explicit_max_ttl: 50,
    });
    const auth = await login(t.anon, up('login/params'), { password: 'pw' });
    assert.deepEqual(auth.policies, ['dev']);
    assert.equal(auth.num_uses, 2);
    assert.equal(auth.lease_duration, 30);
    const looked = (await t.root.write('auth/token/lookup-accessor', { accessor: auth.accessor }))!.data!;
    assert.equal(looked.explicit_max_ttl, 50);
    assert.deepEqual(looked.policies, ['dev'], 'no default policy');
    // Without the default policy the token cannot even look itself up; it may read dev secrets, twice.
    const c = t.client(auth.client_token);
    await expectStatus(c.raw('GET', 'auth/token/lookup-self'), 403, 'no default policy');
    await expectStatus(c.raw('GET', 'secret/data/dev/a'), 404, 'first use');
    await expectStatus(c.raw('GET', 'secret/data/dev/a'), 404, 'second use');
    await expectStatus(c.raw('GET', 'secret/data/dev/a'), 403, 'the third use of a two-use token');

    await t.root.write(up('users/periodic'), { password: 'pw', token_period: 120 });
    const periodic = await login(t.anon, up('login/periodic'), { password: 'pw' });
    assert.equal(periodic.lease_duration, 120);
    assert.equal((await t.client(periodic.client_token).read('auth/token/lookup-self'))!.data!.period, 120);
  });

  it('keeps renewals within the user’s token_max_ttl, not the token mount’s', async () => {
    await t.root.write(up('users/capped'), { password: 'pw', token_ttl: 20, token_max_ttl: 40 });
    const auth = await login(t.anon, up('login/capped'), { password: 'pw' });
    const renewed = (await t.client(auth.client_token).write('auth/token/renew-self', { increment: 3600 }))!;
    assert.ok((renewed.auth as { lease_duration: number }).lease_duration <= 40, JSON.stringify(renewed.auth));
  });

  it('caps tokens at the mount’s tuned max TTL', async () => {
    await enable(t.root, 'up-short', 'userpass');
    await expectStatus(t.root.raw('POST', 'sys/auth/up-short/tune', { default_lease_ttl: 30, max_lease_ttl: 60 }), 204);
    await t.root.write('auth/up-short/users/u', { password: 'pw', token_ttl: 600 });
    assert.equal((await login(t.anon, 'auth/up-short/login/u', { password: 'pw' })).lease_duration, 60);
    await t.root.write('auth/up-short/users/d', { password: 'pw' });
    const auth = await login(t.anon, 'auth/up-short/login/d', { password: 'pw' });
    assert.equal(auth.lease_duration, 30);
    assert.equal((await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!.display_name, 'up-short-d');
  });

  it('binds tokens to token_bound_cidrs: a login from elsewhere is refused', async () => {
    await t.root.write(up('users/far'), { password: 'pw', token_bound_cidrs: '10.0.0.0/8' });
    await expectStatus(t.anon.raw('POST', up('login/far'), { password: 'pw' }), 403);
    await t.root.write(up('users/near'), { password: 'pw', token_bound_cidrs: ['127.0.0.1/32', '::1/128'] });
    const auth = await login(t.anon, up('login/near'), { password: 'pw' });
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.deepEqual(self.bound_cidrs, ['127.0.0.1/32', '::1/128']);
  });

  it('refuses to renew a token whose user was deleted or whose policies changed', async () => {
    await t.root.write(up('users/renewer'), { password: 'pw', token_policies: 'dev' });
    const a = await login(t.anon, up('login/renewer'), { password: 'pw' });
    await expectStatus(t.client(a.client_token).raw('POST', 'auth/token/renew-self'), 200);
    await t.root.write(up('users/renewer/policies'), { token_policies: 'dev,ops' });
    await expectError(t.client(a.client_token).raw('POST', 'auth/token/renew-self'), 400, /policies have changed/);
    const b = await login(t.anon, up('login/renewer'), { password: 'pw' });
    await t.root.delete(up('users/renewer'));
    await expectError(t.root.raw('POST', 'auth/token/renew-accessor', { accessor: b.accessor }), 400, /no longer exists/);
  });

  it('revokes every login token of the mount with one revoke-prefix', async () => {
    await t.root.write(up('users/many'), { password: 'pw' });
    const tokens = await Promise.all([1, 2, 3].map(() => login(t.anon, up('login/many'), { password: 'pw' })));
    await expectStatus(t.root.raw('POST', 'sys/leases/revoke-prefix/auth/userpass/'), 204);
    for (const a of tokens) await expectStatus(t.client(a.client_token).raw('GET', 'auth/token/lookup-self'), 403);
  });

  it('answers bad input with a 400 naming the problem, never a 500', async () => {
    await expectError(t.root.raw('POST', up('users/nopw'), { token_policies: 'dev' }), 400, /missing password/);
    await expectError(t.root.raw('POST', up('users/-bad-'), { password: 'x' }), 400, /invalid username/);
    await expectError(t.root.raw('POST', up('users/x'), { password_hash: '$2a$10$abc' }), 400, /password_hash is not supported/);
    await expectError(t.root.raw('POST', up('users/x'), { password: 'x', token_ttl: 'soon' }), 400, /"token_ttl"/);
    await expectError(t.root.raw('POST', up('users/x'), { password: 'x', token_ttl: 100, token_max_ttl: 10 }), 400, /token_ttl cannot be greater/);
    await expectError(t.root.raw('POST', up('users/x'), { password: 'x', token_type: 'batch' }), 400, /batch/);
    await expectError(t.root.raw('POST', up('users/x'), { password: 'x', token_bound_cidrs: 'nowhere' }), 400, /token_bound_cidrs/);
    await expectError(t.root.raw('POST', up('users/x'), { password: 'x', token_policies: 'root' }), 400, /root/);
    await expectError(t.root.raw('POST', up('users/x'), { password: 'x', token_num_uses: 'many' }), 400, /"token_num_uses"/);
    await expectError(t.root.raw('POST', up('users/x'), { password: '' }), 400, /missing password/);
    await expectError(t.root.raw('POST', up('users/ghost/password'), { password: 'x' }), 400, /does not exist/);
    await expectError(t.root.raw('POST', up('users/ghost/policies'), {}), 400, /missing token_policies/);
    await expectError(t.anon.raw('POST', up('login/alice'), {}), 400, /missing password/);
    await expectError(t.anon.raw('POST', up('login/alice'), { password: 'x'.repeat(5000) }), 400, /invalid username or password/);
    await expectStatus(t.anon.raw('POST', up('users/x'), { password: 'x' }), 403, 'managing users needs a token');
  });
});
