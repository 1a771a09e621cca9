import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawResponse, VaultResponse } from '../src/api/client.js';
import { wrapIfRequested } from '../src/core/wrapping/wrap-response.js';
import type { Request } from '../src/logical/request.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type WrapInfo = { token: string; accessor: string; ttl: number; creation_time: string; creation_path: string; wrapped_accessor?: string };
type Body = VaultResponse & { errors?: string[] };

const INVALID = 'wrapping token is not valid or does not exist';
const SECRET = 'wrapped-s3cret-value';

describe('response wrapping over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
    await t.root.write('secret/data/app', { data: { password: SECRET, user: 'svc' } });
  });
  after(() => t.close());

  /** A request as `token` (root by default) asking for a wrapped answer. */
  const wrapped = (method: 'GET' | 'POST' | 'LIST', path: string, ttl: string | number, body?: unknown, token = t.rootToken) =>
    t.client(token).raw<Body>(method, path, body, { 'X-Vault-Wrap-TTL': String(ttl) });

  const wrapInfo = (res: RawResponse<Body>): WrapInfo => {
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body!.wrap_info as unknown as WrapInfo;
  };

  const unwrapWithHeader = (token: string) => t.client(token).raw<Body>('POST', 'sys/wrapping/unwrap');

  async function tokenWith(policies: string[], extra: Record<string, unknown> = {}): Promise<string> {
    return ((await t.root.write('auth/token/create', { policies, ...extra }))!.auth as { client_token: string }).client_token;
  }

  const assertInvalid = (res: RawResponse<Body>) => {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(res.body!.errors, [INVALID]);
  };

  it('wraps a kv read: the answer holds only wrap_info, never the secret', async () => {
    const res = await wrapped('GET', 'secret/data/app', 60);
    const info = wrapInfo(res);
    assert.equal(res.body!.data, null);
    assert.equal(res.body!.auth, null);
    assert.match(info.token, /^hvs\./);
    assert.equal(typeof info.accessor, 'string');
    assert.equal(info.ttl, 60);
    assert.equal(info.creation_path, 'secret/data/app');
    assert.ok(!Number.isNaN(Date.parse(info.creation_time)), info.creation_time);
    assert.match(info.creation_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(info.wrapped_accessor, undefined);
    assert.ok(!JSON.stringify(res.body).includes(SECRET), 'the wrap answer leaks the secret');

    const opened = await unwrapWithHeader(info.token);
    assert.equal(opened.status, 200);
    assert.deepEqual((opened.body!.data as { data: unknown }).data, { password: SECRET, user: 'svc' });
    assert.equal(opened.body!.request_id, res.body!.request_id);
    assert.equal(opened.body!.wrap_info, null);
    assert.equal(opened.body!.mount_type, 'kv');
  });

  it('works once: a second unwrap is refused with Vault’s message', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    assert.equal((await unwrapWithHeader(info.token)).status, 200);
    assertInvalid(await unwrapWithHeader(info.token));
    assertInvalid(await t.root.raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token }));
    assertInvalid(await t.anon.raw<Body>('POST', 'sys/wrapping/lookup', { token: info.token }));
  });

  it('unwraps with the token in the body, spending one use of the caller and none more', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const caller = await tokenWith(['default'], { num_uses: 2 });
    const opened = await t.client(caller).raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.equal((opened.body!.data as { data: { password: string } }).data.password, SECRET);
    // The caller's own cubbyhole and token are untouched: exactly one use is left.
    assert.equal((await t.client(caller).raw('GET', 'auth/token/lookup-self')).status, 200);
    assert.equal((await t.client(caller).raw('GET', 'auth/token/lookup-self')).status, 403);
    assertInvalid(await unwrapWithHeader(info.token));
  });

  it('accepts the same token in the header and the body', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const opened = await t.client(info.token).raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assertInvalid(await unwrapWithHeader(info.token));
  });

  it('lets exactly one of two racing unwraps open the token', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const results = await Promise.all([
      t.root.raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token }),
      t.root.raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token }),
      unwrapWithHeader(info.token),
    ]);
    assert.deepEqual(results.map((r) => r.status).filter((s) => s === 200), [200], JSON.stringify(results.map((r) => r.body)));
  });

  it('wraps a token create: wrapped_accessor names the token inside', async () => {
    const res = await wrapped('POST', 'auth/token/create', 120, { policies: ['default'], ttl: '1h' });
    const info = wrapInfo(res);
    assert.equal(res.body!.auth, null);
    assert.equal(info.creation_path, 'auth/token/create');
    const opened = await unwrapWithHeader(info.token);
    const auth = opened.body!.auth as { client_token: string; accessor: string; lease_duration: number };
    assert.equal(auth.accessor, info.wrapped_accessor);
    assert.ok(auth.lease_duration > 3500);
    assert.ok(!JSON.stringify(res.body).includes(auth.client_token));
    assert.equal((await t.client(auth.client_token).raw('GET', 'auth/token/lookup-self')).status, 200);
  });

  it('wraps a list', async () => {
    const info = wrapInfo(await wrapped('LIST', 'secret/metadata', 60));
    const opened = await unwrapWithHeader(info.token);
    assert.deepEqual((opened.body!.data as { keys: string[] }).keys, ['app']);
  });

  it('wraps any JSON object with sys/wrapping/wrap, and needs a TTL for it', async () => {
    const sent = { a: 1, nested: { list: [1, 'two', null], ok: true }, empty: null };
    const res = await wrapped('POST', 'sys/wrapping/wrap', '5m', sent);
    const info = wrapInfo(res);
    assert.equal(info.ttl, 300);
    assert.equal(info.creation_path, 'sys/wrapping/wrap');
    assert.equal(res.body!.data, null);
    const opened = await t.root.raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token });
    assert.deepEqual(opened.body!.data, sent);

    const bare = await t.root.raw<Body>('POST', 'sys/wrapping/wrap', { a: 1 });
    assert.equal(bare.status, 400);
    assert.match(bare.body!.errors![0]!, /X-Vault-Wrap-TTL/);
    // The default policy lets every token wrap.
    const plain = await tokenWith(['default']);
    assert.equal(wrapInfo(await wrapped('POST', 'sys/wrapping/wrap', 30, { x: 'y' }, plain)).ttl, 30);
  });

  it('looks a wrapping token up without a login and without spending it', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 90));
    const viaPost = await t.anon.raw<Body>('POST', 'sys/wrapping/lookup', { token: info.token });
    assert.equal(viaPost.status, 200, JSON.stringify(viaPost.body));
    assert.deepEqual(viaPost.body!.data, { creation_path: 'secret/data/app', creation_time: info.creation_time, creation_ttl: 90 });
    const viaGet = await t.anon.raw<Body>('GET', `sys/wrapping/lookup?token=${encodeURIComponent(info.token)}`);
    assert.deepEqual(viaGet.body!.data, viaPost.body!.data);
    // With the wrapping token itself as the request's token: still not spent.
    const self = await t.client(info.token).raw<Body>('GET', 'sys/wrapping/lookup');
    assert.equal(self.status, 200, JSON.stringify(self.body));
    assert.equal((await unwrapWithHeader(info.token)).status, 200);
  });

  it('rewraps into a new token with the same contents, path and TTL, revoking the old one', async () => {
    const first = wrapInfo(await wrapped('GET', 'secret/data/app', 100));
    const res = await t.root.raw<Body>('POST', 'sys/wrapping/rewrap', { token: first.token });
    const second = wrapInfo(res);
    assert.notEqual(second.token, first.token);
    assert.equal(second.ttl, 100);
    assert.equal(second.creation_path, 'secret/data/app');
    assertInvalid(await t.anon.raw<Body>('POST', 'sys/wrapping/lookup', { token: first.token }));
    const looked = await t.anon.raw<Body>('POST', 'sys/wrapping/lookup', { token: second.token });
    assert.equal((looked.body!.data as { creation_ttl: number }).creation_ttl, 100);
    const opened = await unwrapWithHeader(second.token);
    assert.equal((opened.body!.data as { data: { password: string } }).data.password, SECRET);
    // A wrapping token cannot rewrap itself: its policy allows unwrap only.
    const third = wrapInfo(await wrapped('GET', 'secret/data/app', 100));
    assert.equal((await t.client(third.token).raw('POST', 'sys/wrapping/rewrap')).status, 403);
  });

  it('forgets a wrapping token when its TTL runs out', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 1));
    assert.equal(info.ttl, 1);
    await sleep(1300);
    assertInvalid(await t.anon.raw<Body>('POST', 'sys/wrapping/lookup', { token: info.token }));
    assertInvalid(await unwrapWithHeader(info.token));
    assertInvalid(await t.root.raw<Body>('POST', 'sys/wrapping/unwrap', { token: info.token }));
  });

  it('leaves nothing at rest once a wrapping token is unwrapped or has expired', async () => {
    const core = t.server.core;
    const cubbyhole = core.router.get('cubbyhole/')!.storage;
    const opened = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const expiring = wrapInfo(await wrapped('GET', 'secret/data/app', 1));
    const ids = await Promise.all([opened.token, expiring.token].map(async (tok) => (await core.tokens.lookup(tok))!.cubbyholeId));
    for (const id of ids) assert.deepEqual(await cubbyhole.list(`${id}/`), ['response', 'wrapinfo']);
    await t.root.raw('POST', 'sys/wrapping/unwrap', { token: opened.token });
    await sleep(1100);
    assert.equal(await core.tokens.lookup(expiring.token), null);
    await core.tokens.settle();
    for (const id of ids) assert.deepEqual(await cubbyhole.list(`${id}/`), []);
  });

  it('gives a wrapping token one single-use, orphan, non-renewable life with only its own policy', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const looked = (await t.root.write('auth/token/lookup', { token: info.token }))!.data!;
    assert.deepEqual(looked.policies, ['response-wrapping']);
    assert.equal(looked.num_uses, 1);
    assert.equal(looked.orphan, true);
    assert.equal(looked.renewable, false);
    assert.equal(looked.explicit_max_ttl, 60);
    assert.equal(looked.path, 'secret/data/app');
    assert.ok((looked.ttl as number) <= 60 && (looked.ttl as number) >= 58);
  });

  it('lets a wrapping token do nothing but unwrap', async () => {
    const other = await tokenWith(['default']);
    await t.client(other).write('cubbyhole/mine', { note: 'private' });
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const w = t.client(info.token);
    for (const [method, path, body] of [
      ['GET', 'secret/data/app'],
      ['GET', 'cubbyhole/mine'],
      ['GET', 'cubbyhole/wrapinfo'],
      ['POST', 'cubbyhole/response', { response: 'forged' }],
      ['LIST', 'cubbyhole/'],
      ['GET', 'auth/token/lookup-self'],
      ['POST', 'auth/token/create', {}],
      ['POST', 'sys/wrapping/wrap', { a: 1 }],
      ['PUT', 'sys/policies/acl/x', { policy: 'path "*" { capabilities = ["sudo"] }' }],
    ] as const) {
      assert.equal((await w.raw(method as 'GET', path, body)).status, 403, `${method} ${path}`);
    }
    const opened = await unwrapWithHeader(info.token);
    assert.equal((opened.body!.data as { data: { password: string } }).data.password, SECRET);
  });

  it('refuses tokens that are not wrapping tokens on unwrap, lookup and rewrap with 400', async () => {
    const plain = await tokenWith(['default']);
    for (const path of ['sys/wrapping/unwrap', 'sys/wrapping/lookup', 'sys/wrapping/rewrap']) {
      assertInvalid(await t.root.raw<Body>('POST', path, { token: plain }));
      assertInvalid(await t.client(plain).raw<Body>('POST', path));
      assertInvalid(await t.root.raw<Body>('POST', path, { token: 'hvs.doesnotexistdoesnotexist' }));
      assertInvalid(await t.root.raw<Body>('POST', path));
      const typed = await t.root.raw<Body>('POST', path, { token: 42 });
      assert.equal(typed.status, 400);
    }
    const none = await t.anon.raw<Body>('POST', 'sys/wrapping/lookup', {});
    assert.equal(none.status, 400);
    assert.match(none.body!.errors![0]!, /token/);
    // The plain token still works: naming it did not spend or revoke it.
    assert.equal((await t.client(plain).raw('GET', 'auth/token/lookup-self')).status, 200);
  });

  it('honours a policy’s max_wrapping_ttl and min_wrapping_ttl with 403, as Vault does', async () => {
    await t.root.write('sys/policies/acl/wrapped-only', {
      policy: 'path "secret/data/app" {\n  capabilities = ["read"]\n  min_wrapping_ttl = "10s"\n  max_wrapping_ttl = "1m"\n}',
    });
    const token = await tokenWith(['wrapped-only']);
    assert.equal((await wrapped('GET', 'secret/data/app', 120, undefined, token)).status, 403);
    assert.equal((await wrapped('GET', 'secret/data/app', 5, undefined, token)).status, 403);
    assert.equal((await t.client(token).raw('GET', 'secret/data/app')).status, 403);
    const ok = wrapInfo(await wrapped('GET', 'secret/data/app', 60, undefined, token));
    assert.equal(ok.ttl, 60);
  });

  it('refuses a bad or out-of-bounds X-Vault-Wrap-TTL with 400 before anything runs', async () => {
    for (const ttl of ['abc', '-5', '0', '0s', '500ms', '1x', '800h']) {
      const res = await t.root.raw<Body>('POST', 'auth/token/create', { policies: ['default'] }, { 'X-Vault-Wrap-TTL': ttl });
      assert.equal(res.status, 400, `${ttl}: ${JSON.stringify(res.body)}`);
      assert.match(res.body!.errors![0]!, /wrap/i, ttl);
    }
    assert.equal(wrapInfo(await wrapped('GET', 'secret/data/app', '1s')).ttl, 1);
    assert.equal(wrapInfo(await wrapped('GET', 'secret/data/app', '1h30m')).ttl, 5400);
  });

  it('never wraps an error', async () => {
    const missing = await wrapped('GET', 'secret/data/nothing-here', 60);
    assert.equal(missing.status, 404);
    assert.equal(missing.body!.wrap_info, undefined);
    const denied = await wrapped('GET', 'sys/mounts', 60, undefined, await tokenWith(['default']));
    assert.equal(denied.status, 403);
    const bad = await wrapped('POST', 'auth/token/create', 60, { ttl: 'forever' });
    assert.equal(bad.status, 400);
    assert.ok(Array.isArray(bad.body!.errors));
    // A write that answers nothing has nothing to wrap.
    const nothing = await wrapped('POST', 'cubbyhole/plain', 60, { a: 'b' });
    assert.equal(nothing.status, 204);
  });

  it('answers bare endpoints unwrapped', async () => {
    const res = await wrapped('GET', 'sys/seal-status', 60);
    assert.equal(res.status, 200);
    assert.equal((res.body as unknown as { sealed: boolean }).sealed, false);
  });

  it('keeps the response-wrapping policy built in: readable, not listed, not writable, not assignable', async () => {
    const read = await t.root.raw<Body>('GET', 'sys/policies/acl/response-wrapping');
    assert.equal(read.status, 200);
    assert.match((read.body!.data as { policy: string }).policy, /sys\/wrapping\/unwrap/);
    const list = await t.root.list('sys/policies/acl');
    assert.ok(!(list!.data!.keys as string[]).includes('response-wrapping'));
    assert.equal((await t.root.raw('PUT', 'sys/policies/acl/response-wrapping', { policy: 'path "*" { capabilities = ["read"] }' })).status, 400);
    assert.equal((await t.root.raw('DELETE', 'sys/policy/response-wrapping')).status, 400);
    assert.equal((await t.root.raw('POST', 'auth/token/create', { policies: ['response-wrapping'] })).status, 400);
    await t.root.write('auth/token/roles/sneaky', { allowed_policies: ['response-wrapping'] });
    assert.equal((await t.root.raw('POST', 'auth/token/create/sneaky', { no_default_policy: true })).status, 400);
  });

  it('wraps what a handler demands, with the shorter of its TTL and the client’s', async () => {
    const core = t.server.core;
    const req: Request = { id: 'handler-wrap', operation: 'update', path: 'auth/approle/role/r/secret-id', data: {}, headers: {} };
    const demanded = { data: { secret_id: 'sid-1' }, wrapTtl: 300, wrappedAccessor: 'sid-accessor' };
    const alone = await wrapIfRequested(core, req, demanded, 'approle');
    assert.equal(alone.data, undefined);
    assert.equal(alone.wrapInfo!.ttl, 300);
    assert.equal(alone.wrapInfo!.wrapped_accessor, 'sid-accessor');
    assert.equal(alone.wrapInfo!.creation_path, 'auth/approle/role/r/secret-id');
    const shorter = await wrapIfRequested(core, { ...req, wrapTtl: 30 }, demanded, 'approle');
    assert.equal(shorter.wrapInfo!.ttl, 30);
    const opened = await unwrapWithHeader(alone.wrapInfo!.token);
    assert.deepEqual(opened.body!.data, { secret_id: 'sid-1' });
    assert.equal(opened.body!.mount_type, 'approle');
    assert.equal(opened.body!.request_id, 'handler-wrap');
    // Nothing asked, nothing wrapped.
    const plain = { data: { a: 1 } };
    assert.equal(await wrapIfRequested(core, req, plain, 'kv'), plain);
  });

  it('leaves no token behind when the answer cannot be wrapped', async () => {
    const core = t.server.core;
    const accessors = async () => ((await t.root.list('auth/token/accessors'))!.data!.keys as string[]).length;
    const before = await accessors();
    const cubbyhole = core.router.get('cubbyhole/')!;
    core.router.remove('cubbyhole/');
    try {
      const res = await wrapped('POST', 'auth/token/create', 60, { policies: ['default'] });
      assert.equal(res.status, 500);
      assert.equal(res.body!.wrap_info, undefined);
    } finally {
      core.router.add(cubbyhole);
    }
    await core.tokens.settle();
    // Neither the created token nor the wrapping token survived.
    assert.equal(await accessors(), before);
  });

  it('lets the wrapping token read its cubbyhole/response the old way, once', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 60));
    const old = await t.client(info.token).raw<Body>('GET', 'cubbyhole/response');
    assert.equal(old.status, 200);
    const inner = JSON.parse((old.body!.data as { response: string }).response) as Body;
    assert.equal((inner.data as { data: { password: string } }).data.password, SECRET);
    assertInvalid(await unwrapWithHeader(info.token));
  });

  // Last: it seals and unseals the shared server.
  it('keeps a wrapping token and its contents across a seal and unseal', async () => {
    const info = wrapInfo(await wrapped('GET', 'secret/data/app', 300));
    assert.equal((await t.root.raw('PUT', 'sys/seal')).status, 204);
    assert.equal((await t.anon.raw('POST', 'sys/wrapping/lookup', { token: info.token })).status, 503);
    const unsealed = await t.anon.raw<{ sealed: boolean }>('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey });
    assert.equal(unsealed.body!.sealed, false);
    assert.equal((await t.anon.raw('POST', 'sys/wrapping/lookup', { token: info.token })).status, 200);
    const opened = await unwrapWithHeader(info.token);
    assert.equal((opened.body!.data as { data: { password: string } }).data.password, SECRET);
  });
});
