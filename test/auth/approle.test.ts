/** The approle auth method over HTTP: roles, their settings, role ids, secret ids, logins. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { assertAuthBlock, enable, expectError, expectStatus, login, type Body } from './helpers.js';

describe('approle over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'approle', 'approle');
    await t.root.write('sys/policies/acl/app', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
  });
  after(() => t.close());

  const ar = (path: string) => `auth/approle/${path}`;
  const roleId = async (role: string) => (await t.root.read(ar(`role/${role}/role-id`)))!.data!.role_id as string;
  const secretId = async (role: string, body: Record<string, unknown> = {}) =>
    (await expectStatus(t.root.raw<Body>('POST', ar(`role/${role}/secret-id`), body), 200)).data as { secret_id: string; secret_id_accessor: string; secret_id_ttl: number; secret_id_num_uses: number };

  it('runs a role through create, read, list, role id, secret id, login and delete', async () => {
    await expectStatus(t.root.raw('POST', ar('role/Web'), { token_policies: 'app', token_ttl: '20m', token_max_ttl: '30m', secret_id_ttl: '10m', secret_id_num_uses: 40 }), 204);
    const read = (await t.root.read(ar('role/web')))!.data!;
    assert.deepEqual(read, {
      bind_secret_id: true, secret_id_bound_cidrs: [], secret_id_num_uses: 40, secret_id_ttl: 600, local_secret_ids: false,
      token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 1800, token_no_default_policy: false, token_num_uses: 0,
      token_period: 0, token_policies: ['app'], token_ttl: 1200, token_type: 'default',
    });
    assert.deepEqual((await t.root.list(ar('role')))!.data!.keys, ['web']);
    const rid = await roleId('WEB');
    assert.match(rid, /^[0-9a-f-]{36}$/);

    const sid = await secretId('web', { metadata: JSON.stringify({ team: 'payments' }) });
    assert.match(sid.secret_id, /^[0-9a-f-]{36}$/);
    assert.equal(sid.secret_id_ttl, 600);
    assert.equal(sid.secret_id_num_uses, 40);

    const auth = await login(t.anon, ar('login'), { role_id: rid, secret_id: sid.secret_id });
    assertAuthBlock(auth);
    assert.deepEqual(auth.policies, ['app', 'default']);
    assert.deepEqual(auth.metadata, { team: 'payments', role_name: 'web' });
    assert.equal(auth.lease_duration, 1200);
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'approle');
    assert.equal(self.path, 'auth/approle/login');

    const lookup = (await t.root.write(ar('role/web/secret-id/lookup'), { secret_id: sid.secret_id }))!.data!;
    assert.equal(lookup.secret_id_accessor, sid.secret_id_accessor);
    assert.equal(lookup.secret_id_num_uses, 39, 'one use spent');
    assert.deepEqual(lookup.metadata, { team: 'payments' });
    assert.match(lookup.expiration_time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.ok(!JSON.stringify(lookup).includes(sid.secret_id));
    const byAccessor = (await t.root.write(ar('role/web/secret-id-accessor/lookup'), { secret_id_accessor: sid.secret_id_accessor }))!.data!;
    assert.deepEqual(byAccessor, lookup);
    assert.deepEqual((await t.root.list(ar('role/web/secret-id')))!.data!.keys, [sid.secret_id_accessor]);

    await expectStatus(t.root.raw('DELETE', ar('role/web')), 204);
    await expectStatus(t.root.raw('GET', ar('role/web')), 404);
    await expectError(t.anon.raw('POST', ar('login'), { role_id: rid, secret_id: sid.secret_id }), 400, /^invalid role or secret ID$/);
    await expectError(t.client(auth.client_token).raw('POST', 'auth/token/renew-self'), 400, /does not exist any more/);
    // A new role of the same name starts with no secret ids.
    await t.root.write(ar('role/web'), {});
    await expectStatus(t.root.raw('LIST', ar('role/web/secret-id')), 404);
  });

  it('sets a custom role id, keeps role ids unique, and logs in with the new one only', async () => {
    await t.root.write(ar('role/custom'), { role_id: 'my-role-id' });
    assert.equal(await roleId('custom'), 'my-role-id');
    const sid = await secretId('custom');
    await login(t.anon, ar('login'), { role_id: 'my-role-id', secret_id: sid.secret_id });
    await expectStatus(t.root.raw('POST', ar('role/custom/role-id'), { role_id: 'renamed-id' }), 204);
    await expectError(t.anon.raw('POST', ar('login'), { role_id: 'my-role-id', secret_id: sid.secret_id }), 400, /invalid role or secret ID/);
    await login(t.anon, ar('login'), { role_id: 'renamed-id', secret_id: sid.secret_id });
    await t.root.write(ar('role/other'), {});
    await expectError(t.root.raw('POST', ar('role/other/role-id'), { role_id: 'renamed-id' }), 400, /role_id already in use/);
    await expectError(t.root.raw('POST', ar('role/other/role-id'), {}), 400, /missing role_id/);
  });

  it('reads, sets and resets each setting through its own path', async () => {
    await t.root.write(ar('role/fields'), {});
    const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
      ['policies', { token_policies: 'app,x' }, { token_policies: ['app', 'x'] }, { token_policies: [] }],
      ['secret-id-num-uses', { secret_id_num_uses: 5 }, { secret_id_num_uses: 5 }, { secret_id_num_uses: 0 }],
      ['secret-id-ttl', { secret_id_ttl: '1h' }, { secret_id_ttl: 3600 }, { secret_id_ttl: 0 }],
      ['token-ttl', { token_ttl: 60 }, { token_ttl: 60 }, { token_ttl: 0 }],
      ['token-max-ttl', { token_max_ttl: '2h' }, { token_max_ttl: 7200 }, { token_max_ttl: 0 }],
      ['token-num-uses', { token_num_uses: 3 }, { token_num_uses: 3 }, { token_num_uses: 0 }],
      ['secret-id-bound-cidrs', { secret_id_bound_cidrs: '127.0.0.0/8' }, { secret_id_bound_cidrs: ['127.0.0.0/8'] }, { secret_id_bound_cidrs: [] }],
      ['bound-cidr-list', { bound_cidr_list: '127.0.0.0/8' }, { bound_cidr_list: ['127.0.0.0/8'] }, { bound_cidr_list: [] }],
      ['token-bound-cidrs', { token_bound_cidrs: '127.0.0.1' }, { token_bound_cidrs: ['127.0.0.1'] }, { token_bound_cidrs: [] }],
      ['period', { token_period: 300 }, { token_period: 300 }, { token_period: 0 }],
      ['bind-secret-id', { bind_secret_id: true }, { bind_secret_id: true }, { bind_secret_id: true }],
    ];
    for (const [suffix, write, readBack, reset] of cases) {
      await expectStatus(t.root.raw('POST', ar(`role/fields/${suffix}`), write), 204, `${suffix} write`);
      assert.deepEqual((await t.root.read(ar(`role/fields/${suffix}`)))!.data, readBack, suffix);
      await expectStatus(t.root.raw('DELETE', ar(`role/fields/${suffix}`)), 204, `${suffix} delete`);
      assert.deepEqual((await t.root.read(ar(`role/fields/${suffix}`)))!.data, reset, `${suffix} after reset`);
    }
    assert.deepEqual((await t.root.read(ar('role/fields/local-secret-ids')))!.data, { local_secret_ids: false });
    // The deprecated spellings are remembered and echoed.
    await t.root.write(ar('role/fields/policies'), { policies: 'app' });
    assert.deepEqual((await t.root.read(ar('role/fields/policies')))!.data, { token_policies: ['app'], policies: ['app'] });
    await expectStatus(t.root.raw('GET', ar('role/ghost/token-ttl')), 404);
    await expectStatus(t.root.raw('POST', ar('role/ghost/token-ttl'), { token_ttl: 5 }), 404);
    await expectError(t.root.raw('POST', ar('role/fields/token-ttl'), {}), 400, /missing token_ttl/);
  });

  it('applies the role’s token parameters and the secret id’s token_bound_cidrs', async () => {
    await t.root.write(ar('role/tok'), { token_policies: 'app', token_num_uses: 4, token_period: '5m', token_no_default_policy: true, token_bound_cidrs: '127.0.0.0/8,::1/128' });
    const rid = await roleId('tok');
    const auth = await login(t.anon, ar('login'), { role_id: rid, secret_id: (await secretId('tok')).secret_id });
    assert.deepEqual(auth.policies, ['app']);
    assert.equal(auth.num_uses, 4);
    assert.equal(auth.lease_duration, 300);
    const data = (await t.root.write('auth/token/lookup-accessor', { accessor: auth.accessor }))!.data!;
    assert.equal(data.period, 300);
    assert.deepEqual(data.bound_cidrs, ['127.0.0.0/8', '::1/128']);
    const narrowed = await secretId('tok', { token_bound_cidrs: ['127.0.0.1/32'] });
    const auth2 = await login(t.anon, ar('login'), { role_id: rid, secret_id: narrowed.secret_id });
    assert.deepEqual((await t.root.write('auth/token/lookup-accessor', { accessor: auth2.accessor }))!.data!.bound_cidrs, ['127.0.0.1/32']);
    await expectError(t.root.raw('POST', ar('role/tok/secret-id'), { token_bound_cidrs: '10.0.0.0/8' }), 400, /within the role's token_bound_cidrs/);
  });

  it('logs in without a secret id when bind_secret_id is off and a CIDR constraint takes its place', async () => {
    await expectError(t.root.raw('POST', ar('role/nobind'), { bind_secret_id: false }), 400, /at least one constraint/);
    await t.root.write(ar('role/nobind'), { bind_secret_id: false, secret_id_bound_cidrs: ['127.0.0.0/8', '::1/128'] });
    await login(t.anon, ar('login'), { role_id: await roleId('nobind') });
    await expectError(t.root.raw('POST', ar('role/nobind/secret-id'), {}), 400, /bind_secret_id is not set/);
  });

  it('registers custom secret ids once', async () => {
    await t.root.write(ar('role/push'), { secret_id_num_uses: 5 });
    const res = (await t.root.write(ar('role/push/custom-secret-id'), { secret_id: 'pushed-secret', num_uses: 2 }))!.data!;
    assert.equal(res.secret_id, 'pushed-secret');
    assert.equal(res.secret_id_num_uses, 2);
    await expectError(t.root.raw('POST', ar('role/push/custom-secret-id'), { secret_id: 'pushed-secret' }), 400, /already registered/);
    await login(t.anon, ar('login'), { role_id: await roleId('push'), secret_id: 'pushed-secret' });
    await expectError(t.root.raw('POST', ar('role/push/custom-secret-id'), {}), 400, /missing secret_id/);
    await expectError(t.root.raw('POST', ar('role/push/secret-id'), { num_uses: 0 }), 400, /num_uses cannot be higher/);
    await expectError(t.root.raw('POST', ar('role/push/secret-id'), { num_uses: 6 }), 400, /num_uses cannot be higher/);
  });

  it('destroys secret ids by value and by accessor', async () => {
    await t.root.write(ar('role/gone'), {});
    const rid = await roleId('gone');
    const a = await secretId('gone');
    const b = await secretId('gone');
    await expectStatus(t.root.raw('POST', ar('role/gone/secret-id/destroy'), { secret_id: a.secret_id }), 204);
    await expectStatus(t.root.raw('POST', ar('role/gone/secret-id-accessor/destroy'), { secret_id_accessor: b.secret_id_accessor }), 204);
    for (const s of [a, b]) await expectError(t.anon.raw('POST', ar('login'), { role_id: rid, secret_id: s.secret_id }), 400, /invalid role or secret ID/);
    await expectStatus(t.root.raw('POST', ar('role/gone/secret-id/lookup'), { secret_id: a.secret_id }), 204);
    await expectStatus(t.root.raw('LIST', ar('role/gone/secret-id')), 404);
  });

  it('hands a secret id over wrapped, for one unwrap only', async () => {
    await t.root.write(ar('role/wrapped'), {});
    const res = await expectStatus(t.root.raw<Body>('POST', ar('role/wrapped/secret-id'), {}, { 'X-Vault-Wrap-TTL': '2m' }), 200);
    assert.equal(res.data, null);
    const wrap = res.wrap_info as { token: string; ttl: number; creation_path: string; wrapped_accessor: string };
    assert.equal(wrap.ttl, 120);
    assert.equal(wrap.creation_path, 'auth/approle/role/wrapped/secret-id');
    const opened = await expectStatus(t.client(wrap.token).raw<Body>('POST', 'sys/wrapping/unwrap'), 200);
    const sid = opened.data as { secret_id: string; secret_id_accessor: string };
    assert.equal(sid.secret_id_accessor, wrap.wrapped_accessor);
    await login(t.anon, ar('login'), { role_id: await roleId('wrapped'), secret_id: sid.secret_id });
    await expectStatus(t.client(wrap.token).raw('POST', 'sys/wrapping/unwrap'), 400, 'a second unwrap');
  });

  it('logs in again after a seal and unseal, its salt and roles read afresh', async () => {
    await t.root.write(ar('role/sealed'), {});
    const rid = await roleId('sealed');
    const sid = await secretId('sealed');
    await login(t.anon, ar('login'), { role_id: rid, secret_id: sid.secret_id });
    await expectStatus(t.root.raw('PUT', 'sys/seal'), 204);
    await expectStatus(t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey }), 200);
    await login(t.anon, ar('login'), { role_id: rid, secret_id: sid.secret_id });
  });

  it('answers bad input with a 4xx naming the problem', async () => {
    await expectError(t.root.raw('POST', ar('role/bad'), { secret_id_num_uses: -1 }), 400, /secret_id_num_uses cannot be negative/);
    await expectError(t.root.raw('POST', ar('role/bad'), { secret_id_ttl: 'forever' }), 400, /"secret_id_ttl"/);
    await expectError(t.root.raw('POST', ar('role/bad'), { secret_id_bound_cidrs: '300.0.0.0/8' }), 400, /secret_id_bound_cidrs/);
    await expectError(t.root.raw('POST', ar('role/bad'), { token_type: 'batch' }), 400, /batch/);
    await expectError(t.root.raw('POST', ar('role/bad'), { token_period: '100000h' }), 400, /token_period/);
    await expectError(t.root.raw('POST', ar('role/bad%20name'), {}), 400, /invalid role_name/);
    await t.root.write(ar('role/bad'), {});
    await expectError(t.root.raw('POST', ar('role/bad'), { local_secret_ids: true }), 400, /only be modified during role creation/);
    await expectError(t.root.raw('POST', ar('role/bad/secret-id'), { metadata: '{"a": {"b": 1}}' }), 400, /metadata/);
    await expectError(t.root.raw('POST', ar('role/bad/secret-id'), { cidr_list: 'x' }), 400, /cidr_list/);
    await expectError(t.root.raw('POST', ar('role/ghost/secret-id'), {}), 404, /does not exist/);
    await expectError(t.anon.raw('POST', ar('login'), {}), 400, /missing role_id/);
    await expectError(t.anon.raw('POST', ar('login'), { role_id: await roleId('bad') }), 400, /missing secret_id/);
    await expectError(t.anon.raw('POST', ar('login'), { role_id: 'x'.repeat(5000), secret_id: 'y' }), 400, /invalid role or secret ID/);
    await expectError(t.root.raw('POST', ar('role/bad/secret-id-accessor/lookup'), {}), 400, /missing secret_id_accessor/);
    await expectError(t.root.raw('POST', ar('role/bad/secret-id-accessor/lookup'), { secret_id_accessor: '../../role/bad' }), 404, /no secret id/);
    await expectStatus(t.anon.raw('POST', ar('role/bad/secret-id'), {}), 403, 'generating secret ids needs a token');
  });
});
