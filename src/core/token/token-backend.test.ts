import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenBackend } from './token-backend.js';
import { harness } from './fixtures.js';
import type { AuthBlock } from '../../logical/request.js';

const status = (code: number, text?: RegExp) => (e: unknown) => {
  const err = e as { status?: number; message?: string };
  assert.equal(err.status, code, `expected ${code}, got ${err.status}: ${err.message}`);
  if (text) assert.match(err.message ?? '', text);
  return true;
};

describe('token backend', () => {
  it('create answers with an auth block; lookup-self echoes the token, lookup-accessor does not', async () => {
    const h = await harness();
    const res = await h.call(h.rootToken, 'update', 'create', { policies: 'a,b', ttl: '1h', meta: { app: 'x' }, display_name: 'my app' });
    assert.equal(res?.data, null);
    const auth = res!.authBlock!;
    assert.match(auth.client_token, /^hvs\./);
    assert.deepEqual(auth.policies, ['a', 'b', 'default']);
    assert.deepEqual(auth.token_policies, auth.policies);
    assert.deepEqual(auth.identity_policies, []);
    assert.equal(auth.lease_duration, 3600);
    assert.equal(auth.renewable, true);
    assert.equal(auth.orphan, false);
    assert.equal(auth.token_type, 'service');
    assert.equal(auth.entity_id, '');
    assert.equal(auth.mfa_requirement, null);
    assert.deepEqual(auth.metadata, { app: 'x' });

    const self = (await h.call(auth.client_token, 'read', 'lookup-self'))!.data!;
    assert.equal(self.id, auth.client_token);
    assert.equal(self.display_name, 'token-my-app');
    assert.equal(self.path, 'auth/token/create');
    assert.equal(self.accessor, auth.accessor);
    const byAcc = (await h.call(h.rootToken, 'update', 'lookup-accessor', { accessor: auth.accessor }))!.data!;
    assert.equal(byAcc.id, '');
    assert.equal(byAcc.display_name, 'token-my-app');
    const byValue = (await h.call(h.rootToken, 'update', 'lookup', { token: auth.client_token }))!.data!;
    assert.equal(byValue.id, auth.client_token);
    const selfViaLookup = (await h.call(auth.client_token, 'read', 'lookup'))!.data!;
    assert.equal(selfViaLookup.id, auth.client_token);
    // Clients read these as integers: no number may be sent as a float.
    for (const [key, value] of Object.entries(self)) if (typeof value === 'number') assert.ok(Number.isInteger(value), `${key} is ${value}`);
  });

  it('lookup of unknown tokens and accessors fails like Vault', async () => {
    const h = await harness();
    await assert.rejects(h.call(h.rootToken, 'update', 'lookup', { token: 'hvs.unknown' }), status(403, /bad token/));
    await assert.rejects(h.call(h.rootToken, 'update', 'lookup-accessor', { accessor: 'nope' }), status(400, /invalid accessor/));
    await assert.rejects(h.call(h.rootToken, 'update', 'lookup-accessor', {}), status(400, /missing accessor/));
    await assert.rejects(h.call(h.rootToken, 'update', 'revoke-accessor', { accessor: 'nope' }), status(400, /invalid accessor/));
    await assert.rejects(h.call(h.rootToken, 'update', 'renew', { token: 'hvs.unknown' }), status(400));
  });

  it('non-root callers may only hand out their own policies; root only from root', async () => {
    const h = await harness();
    const parent = (await h.call(h.rootToken, 'update', 'create', { policies: ['a', 'b'] }))!.authBlock!.client_token;
    const ok = (await h.call(parent, 'update', 'create', { policies: ['a'] }))!.authBlock!;
    assert.deepEqual(ok.policies, ['a', 'default']);
    const inherited = (await h.call(parent, 'update', 'create', {}))!.authBlock!;
    assert.deepEqual(inherited.policies, ['a', 'b', 'default']);
    const noDefault = (await h.call(parent, 'update', 'create', { no_default_policy: true }))!.authBlock!;
    assert.deepEqual(noDefault.policies, ['a', 'b']);
    await assert.rejects(h.call(parent, 'update', 'create', { policies: ['a', 'admin'] }), status(400, /"admin"/));
    await assert.rejects(h.call(parent, 'update', 'create', { policies: ['root'] }), status(400, /root/));
    await assert.rejects(h.call(parent, 'update', 'create-orphan', { policies: ['c'] }), status(400, /"c"/));
    const fromRoot = (await h.call(h.rootToken, 'update', 'create', {}))!.authBlock!;
    assert.deepEqual(fromRoot.policies, ['root']);
    assert.equal(fromRoot.lease_duration, 0);
  });

  it('orphans: create-orphan for anyone, no_parent only for root (or sudo)', async () => {
    const h = await harness();
    const parent = (await h.call(h.rootToken, 'update', 'create', { policies: ['a'] }))!.authBlock!.client_token;
    const orphan = (await h.call(parent, 'update', 'create-orphan', {}))!.authBlock!;
    assert.equal(orphan.orphan, true);
    await assert.rejects(h.call(parent, 'update', 'create', { no_parent: true }), status(400, /sudo/));
    const rootOrphan = (await h.call(h.rootToken, 'update', 'create', { no_parent: true, policies: ['a'] }))!.authBlock!;
    assert.equal(rootOrphan.orphan, true);
    const sudo = await harness({ callerHasSudo: async () => true });
    const p2 = (await sudo.call(sudo.rootToken, 'update', 'create', { policies: ['a'] }))!.authBlock!.client_token;
    assert.equal((await sudo.call(p2, 'update', 'create', { no_parent: true }))!.authBlock!.orphan, true);

    await h.call(h.rootToken, 'update', 'revoke', { token: parent });
    assert.ok(await h.store.lookup(orphan.client_token), 'the orphan outlives its creator');
  });

  it('only root may choose a token id; batch tokens are refused clearly', async () => {
    const h = await harness();
    const chosen = (await h.call(h.rootToken, 'update', 'create', { id: 'my-token', policies: ['a'] }))!.authBlock!;
    assert.equal(chosen.client_token, 'my-token');
    assert.ok(await h.store.lookup('my-token'));
    await assert.rejects(h.call('my-token', 'update', 'create', { id: 'other' }), status(400, /root/));
    await assert.rejects(h.call(h.rootToken, 'update', 'create', { type: 'batch' }), status(400, /batch/));
    await assert.rejects(h.call(h.rootToken, 'update', 'create', { type: 'weird' }), status(400));
    await assert.rejects(h.call(h.rootToken, 'update', 'create', { num_uses: -1 }), status(400));
    await assert.rejects(h.call(h.rootToken, 'update', 'create', { ttl: 'soon' }), status(400, /ttl/));
  });

  it('use-limited tokens cannot create children; periodic tokens need privilege', async () => {
    const h = await harness();
    const limited = (await h.call(h.rootToken, 'update', 'create', { policies: ['a'], num_uses: 5 }))!.authBlock!;
    assert.equal(limited.num_uses, 5);
    await assert.rejects(h.call(limited.client_token, 'update', 'create', {}), status(400, /use limit/));
    const plain = (await h.call(h.rootToken, 'update', 'create', { policies: ['a'] }))!.authBlock!.client_token;
    await assert.rejects(h.call(plain, 'update', 'create', { period: '1h' }), status(400, /periodic/));
    const periodic = (await h.call(h.rootToken, 'update', 'create', { period: '2h', policies: ['a'] }))!.authBlock!;
    assert.equal(periodic.lease_duration, 7200);
    assert.equal((await h.call(periodic.client_token, 'read', 'lookup-self'))!.data!.period, 7200);
  });

  it('renew, renew-self and renew-accessor', async () => {
    const h = await harness();
    const t = (await h.call(h.rootToken, 'update', 'create', { policies: ['a'], ttl: 600, explicit_max_ttl: 1000 }))!.authBlock!;
    h.now.ms += 300_000;
    const r1 = (await h.call(h.rootToken, 'update', 'renew', { token: t.client_token, increment: '10m' }))!;
    assert.equal(r1.authBlock!.client_token, t.client_token);
    assert.equal(r1.authBlock!.lease_duration, 600);
    const r2 = (await h.call(t.client_token, 'update', 'renew-self', { increment: 3600 }))!;
    assert.equal(r2.authBlock!.lease_duration, 700, 'capped by explicit_max_ttl');
    assert.ok(r2.warnings?.length);
    const r3 = (await h.call(h.rootToken, 'update', 'renew-accessor', { accessor: t.accessor, increment: 60 }))!;
    assert.equal(r3.authBlock!.client_token, '');
    assert.equal(r3.authBlock!.lease_duration, 60);
    const fixed = (await h.call(h.rootToken, 'update', 'create', { policies: ['a'], renewable: false }))!.authBlock!;
    assert.equal(fixed.renewable, false);
    await assert.rejects(h.call(fixed.client_token, 'update', 'renew-self', {}), status(400, /not renewable/));
  });

  it('revoke, revoke-self, revoke-accessor and revoke-orphan', async () => {
    const h = await harness();
    const mk = async (by: string, data: Record<string, unknown> = {}) =>
      (await h.call(by, 'update', 'create', { policies: ['a'], ...data }))!.authBlock!;
    const a = await mk(h.rootToken);
    const a1 = await mk(a.client_token);
    assert.equal(await h.call(h.rootToken, 'update', 'revoke', { token: a.client_token }), null);
    assert.equal(await h.store.lookup(a1.client_token), null, 'children go with their parent');
    assert.equal(await h.call(h.rootToken, 'update', 'revoke', { token: a.client_token }), null, 'revoking twice is fine');
    await assert.rejects(h.call(h.rootToken, 'update', 'revoke', {}), status(400, /missing token/));

    const b = await mk(h.rootToken);
    assert.equal(await h.call(b.client_token, 'update', 'revoke-self'), null);
    assert.equal(await h.store.lookup(b.client_token), null);

    const c = await mk(h.rootToken);
    await h.call(h.rootToken, 'update', 'revoke-accessor', { accessor: c.accessor });
    assert.equal(await h.store.lookup(c.client_token), null);

    const d = await mk(h.rootToken);
    const d1 = await mk(d.client_token);
    const d2 = await mk(d1.client_token);
    await h.call(h.rootToken, 'update', 'revoke-orphan', { token: d.client_token });
    assert.equal(await h.store.lookup(d.client_token), null);
    const d1Data = (await h.call(d1.client_token, 'read', 'lookup-self'))!.data!;
    assert.equal(d1Data.orphan, true);
    assert.ok(await h.store.lookup(d2.client_token));
  });

  it('roles: CRUD and tokens created against them', async () => {
    const h = await harness();
    await h.call(h.rootToken, 'update', 'roles/Web', {
      allowed_policies: 'web,db', disallowed_policies: 'admin', orphan: true, path_suffix: 'v1',
      token_explicit_max_ttl: '2h', token_period: 0, renewable: true,
    });
    const read = (await h.call(h.rootToken, 'read', 'roles/web'))!.data!;
    assert.equal(read.name, 'web');
    assert.deepEqual(read.allowed_policies, ['db', 'web']);
    assert.equal(read.token_explicit_max_ttl, 7200);
    assert.equal(read.orphan, true);
    assert.equal(read.token_type, 'default-service');
    assert.deepEqual((await h.call(h.rootToken, 'list', 'roles/'))!.data!.keys, ['web']);

    // A caller that lacks "web" can still hand it out through the role.
    const caller = (await h.call(h.rootToken, 'update', 'create', { policies: ['other'] }))!.authBlock!.client_token;
    const viaRole = (await h.call(caller, 'update', 'create/web', { policies: 'web', ttl: '5h' }))!.authBlock!;
    assert.deepEqual(viaRole.policies, ['default', 'web']);
    assert.equal(viaRole.orphan, true);
    assert.equal(viaRole.lease_duration, 7200);
    const data = (await h.call(viaRole.client_token, 'read', 'lookup-self'))!.data!;
    assert.equal(data.path, 'auth/token/create/web/v1');
    assert.equal(data.role, 'web');
    const allAllowed = (await h.call(caller, 'update', 'create/web', {}))!.authBlock!;
    assert.deepEqual(allAllowed.policies, ['db', 'default', 'web']);
    await assert.rejects(h.call(caller, 'update', 'create/web', { policies: 'other' }), status(400, /"other"/));
    await assert.rejects(h.call(h.rootToken, 'update', 'create', { role_name: 'nope' }), status(400, /unknown role/));

    await h.call(h.rootToken, 'update', 'roles/web', { orphan: false });
    const updated = (await h.call(h.rootToken, 'read', 'roles/web'))!.data!;
    assert.equal(updated.orphan, false);
    assert.deepEqual(updated.allowed_policies, ['db', 'web'], 'fields left out keep their value');

    await assert.rejects(h.call(h.rootToken, 'update', 'roles/bad', { token_type: 'batch' }), status(400, /batch/));
    await assert.rejects(h.call(h.rootToken, 'update', 'roles/bad', { path_suffix: '../x' }), status(400));
    await assert.rejects(h.call(h.rootToken, 'update', 'roles/bad', { token_bound_cidrs: 'nope' }), status(400, /CIDR/));
    assert.equal(await h.call(h.rootToken, 'delete', 'roles/web'), null);
    await assert.rejects(h.call(h.rootToken, 'read', 'roles/web'), status(404));
  });

  it('roles with disallowed and glob policies', async () => {
    const h = await harness();
    await h.call(h.rootToken, 'update', 'roles/g', { allowed_policies_glob: 'team-*', disallowed_policies_glob: '*-admin' });
    const ok = (await h.call(h.rootToken, 'update', 'create/g', { policies: 'team-a' }))!.authBlock!;
    assert.deepEqual(ok.policies, ['default', 'team-a']);
    await assert.rejects(h.call(h.rootToken, 'update', 'create/g', { policies: 'team-admin' }), status(400, /disallowed/));
    await assert.rejects(h.call(h.rootToken, 'update', 'create/g', { policies: 'ops' }), status(400, /"ops"/));
  });

  it('lists accessors (a sudo path) and tidies', async () => {
    const h = await harness();
    const t = (await h.call(h.rootToken, 'update', 'create', {}))!.authBlock!;
    const keys = (await h.call(h.rootToken, 'list', 'accessors/'))!.data!.keys as string[];
    assert.deepEqual([...keys].sort(), [h.root.accessor, t.accessor].sort());
    const backend = createTokenBackend(h.store);
    assert.ok(backend.needsSudo('accessors/'));
    assert.ok(backend.needsSudo('accessors'));
    assert.ok(backend.needsSudo('revoke-orphan'));
    assert.ok(!backend.needsSudo('create'));
    const tidy = (await h.call(h.rootToken, 'update', 'tidy'))!;
    assert.equal(tidy.status, 202);
    for (const path of ['create', 'roles/x', 'renew', 'lookup-accessor']) {
      const help = (await h.call(h.rootToken, 'help', path))!.raw as { help: string };
      assert.match(help.help, /Request:/);
    }
    assert.equal(await h.call(h.rootToken, 'list', 'roles/'), null, 'an empty list is null: core answers 404, as Vault does');
  });

  it('warns about policies that do not exist; refuses entity_alias without a role', async () => {
    const h = await harness({ policyExists: async (name) => name === 'known' });
    const res = (await h.call(h.rootToken, 'update', 'create', { policies: 'known,unknown' }))!;
    assert.ok(res.warnings?.some((w) => w.includes('"unknown"')));
    assert.ok(!res.warnings?.some((w) => w.includes('"known"')));
    await assert.rejects(h.call(h.rootToken, 'update', 'create', { entity_alias: 'x' }), status(400, /only allowed in combination with token role/));
  });

  it('a use-limited token spending its last use on lookup-self still gets an answer', async () => {
    const h = await harness();
    const t: AuthBlock = (await h.call(h.rootToken, 'update', 'create', { policies: ['a'], num_uses: 1 }))!.authBlock!;
    const used = await h.store.useToken((await h.store.lookup(t.client_token))!);
    assert.ok(used);
    assert.ok(used && used.numUses === -1);
    const data = (await h.call(t.client_token, 'read', 'lookup-self', {}, true))!.data!;
    assert.equal(data.id, t.client_token);
    assert.equal(data.num_uses, 0);
    await assert.rejects(h.call(t.client_token, 'read', 'lookup-self'), /unknown caller/, 'a later request is refused');
  });
});
