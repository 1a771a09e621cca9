/**
 * sys/events/subscribe over a real server with the ws library: what a subscriber receives
 * for each kv operation, in Vault's CloudEvents JSON shape and without secret values; type
 * wildcards and filters; who may subscribe and which events each token sees; the stream's
 * end when the token goes or the server seals; audit of the subscribe request; TLS.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { parseResponses, rawExchange } from './helpers/raw-http.js';
import { lastPair, readAuditLog } from './helpers/audit-log.js';
import { ApiError } from '../src/api/client.js';
import { subscribeEvents } from '../src/api/events.js';
import { mustRefuse, mustSubscribe, type CloudEventMessage, type Subscriber } from './helpers/events.js';

const SECRET_VALUE = 'correct-horse-battery-staple';
const errorOf = (body: string) => (JSON.parse(body) as { errors: string[] }).errors.join('; ');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sys/events/subscribe', () => {
  let t: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'coffer-events-'));
  const auditFile = join(dir, 'audit.log');
  const open: Subscriber[] = [];
  const sub = async (type: string, opts: Parameters<typeof mustSubscribe>[2] = {}) => {
    const s = await mustSubscribe(t, type, opts);
    open.push(s);
    return s;
  };
  const ok = async (res: Promise<{ status: number; body?: unknown }>, status = [200, 204]) => {
    const r = await res;
    assert.ok(status.includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const tokenWith = async (policies: string[]) => {
    const res = await ok(t.root.raw<{ auth: { client_token: string } }>('POST', 'auth/token/create', { policies }));
    return (res.body as { auth: { client_token: string } }).auth.client_token;
  };

  before(async () => {
    t = await startDevServer({}, { eventStreams: { tokenCheckMs: 100 } });
    await ok(t.root.raw('PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } }));
    await ok(t.root.raw('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } }));
  });
  after(async () => {
    for (const s of open) s.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams every kv-v2 operation as a CloudEvent naming paths and versions, never the value', async () => {
    const s = await sub('kv-v2/*');
    const mounts = (await t.root.read('sys/mounts'))!.data as Record<string, { accessor: string }>;
    const accessor = mounts['secret/']!.accessor;
    await ok(t.root.raw('POST', 'secret/data/app/db', { data: { password: SECRET_VALUE } }));
    await ok(t.root.raw('PATCH', 'secret/data/app/db', { data: { user: SECRET_VALUE } }, { 'Content-Type': 'application/merge-patch+json' }));
    await ok(t.root.raw('DELETE', 'secret/data/app/db'));
    await ok(t.root.raw('POST', 'secret/undelete/app/db', { versions: [2] }));
    await ok(t.root.raw('POST', 'secret/delete/app/db', { versions: [1] }));
    await ok(t.root.raw('POST', 'secret/destroy/app/db', { versions: [1] }));
    await ok(t.root.raw('POST', 'secret/metadata/app/db', { max_versions: 5 }));
    await ok(t.root.raw('PATCH', 'secret/metadata/app/db', { custom_metadata: { team: 'a' } }, { 'Content-Type': 'application/merge-patch+json' }));
    await ok(t.root.raw('DELETE', 'secret/metadata/app/db'));

    const events: CloudEventMessage[] = [];
    for (let i = 0; i < 9; i++) events.push(await s.next());
    assert.deepEqual(
      events.map((e) => [e.data.event_type, e.data.event.metadata.path]),
      [
        ['kv-v2/data-write', 'secret/data/app/db'],
        ['kv-v2/data-patch', 'secret/data/app/db'],
        ['kv-v2/data-delete', 'secret/data/app/db'],
        ['kv-v2/undelete', 'secret/undelete/app/db'],
        ['kv-v2/delete', 'secret/delete/app/db'],
        ['kv-v2/destroy', 'secret/destroy/app/db'],
        ['kv-v2/metadata-write', 'secret/metadata/app/db'],
        ['kv-v2/metadata-patch', 'secret/metadata/app/db'],
        ['kv-v2/metadata-delete', 'secret/metadata/app/db'],
      ],
    );
    const [write, patch, , undelete, , destroy] = events;
    assert.equal(write!.data.event.metadata.current_version, '1');
    assert.equal(patch!.data.event.metadata.current_version, '2');
    assert.equal(undelete!.data.event.metadata.undeleted_versions, '2');
    assert.equal(destroy!.data.event.metadata.destroyed_versions, '1');
    for (const e of events) {
      assert.match(e.id, UUID);
      assert.equal(e.data.event.id, e.id);
      assert.equal(e.source, 'https://vaultproject.io/');
      assert.equal(e.specversion, '1.0');
      assert.equal(e.type, '*');
      assert.equal(e.datacontenttype, 'application/cloudevents');
      assert.ok(Math.abs(Date.parse(e.time) - Date.now()) < 60_000, e.time);
      assert.deepEqual(e.data.plugin_info, { mount_class: 'secret', mount_accessor: accessor, mount_path: 'secret/', plugin: 'kv', version: '2' });
      const m = e.data.event.metadata;
      // Vault's metadata keys: data_path only on the types whose data (or its settings) changed.
      const withDataPath = ['data-write', 'data-patch', 'undelete', 'metadata-write', 'metadata-patch'].includes(m.operation!);
      assert.equal(m.data_path, withDataPath ? 'secret/data/app/db' : undefined, e.data.event_type);
      assert.equal(m.operation, e.data.event_type.slice('kv-v2/'.length));
      assert.equal(m.modified, 'true');
      assert.ok(!JSON.stringify(e).includes(SECRET_VALUE), 'no secret value in an event');
    }
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'every event has its own id');
  });

  it('takes the token from Authorization: Bearer too', async () => {
    const s = await sub('kv-v2/data-write', { token: undefined, headers: { Authorization: `Bearer ${t.rootToken}` } });
    await ok(t.root.raw('POST', 'secret/data/bearer', { data: { a: 1 } }));
    assert.equal((await s.next()).data.event.metadata.data_path, 'secret/data/bearer');
  });

  it('sends no event for a write that failed', async () => {
    const s = await sub('kv-v2/data-write');
    await ok(t.root.raw('POST', 'secret/data/cas', { data: { a: 1 } }));
    await s.next();
    const refused = await t.root.raw('POST', 'secret/data/cas', { data: { a: 2 }, options: { cas: 7 } });
    assert.equal(refused.status, 400);
    assert.deepEqual(await s.drain(300), []);
  });

  it('streams kv-v1 writes and deletes', async () => {
    const s = await sub('kv-v1/*');
    await ok(t.root.raw('POST', 'kv1/team/token', { value: SECRET_VALUE }));
    await ok(t.root.raw('DELETE', 'kv1/team/token'));
    const [w, d] = [await s.next(), await s.next()];
    assert.equal(w.data.event_type, 'kv-v1/write');
    assert.equal(d.data.event_type, 'kv-v1/delete');
    assert.equal(w.data.event.metadata.data_path, 'kv1/team/token');
    assert.equal(w.data.plugin_info.mount_path, 'kv1/');
    assert.ok(!JSON.stringify(w).includes(SECRET_VALUE));
  });

  it('matches event types with wildcards', async () => {
    const kvAll = await sub('kv*');
    const everything = await sub('*');
    const dataOnly = await sub('kv-v2/data-*');
    const exact = await sub('kv-v1/write');
    await ok(t.root.raw('POST', 'kv1/w', { a: 1 }));
    await ok(t.root.raw('POST', 'secret/data/w', { data: { a: 1 } }));
    await ok(t.root.raw('POST', 'secret/metadata/w', { max_versions: 3 }));
    const types = async (s: Subscriber) => (await s.drain(300)).map((e) => e.data.event_type);
    assert.deepEqual(await types(kvAll), ['kv-v1/write', 'kv-v2/data-write', 'kv-v2/metadata-write']);
    assert.deepEqual(await types(everything), ['kv-v1/write', 'kv-v2/data-write', 'kv-v2/metadata-write']);
    assert.deepEqual(await types(dataOnly), ['kv-v2/data-write']);
    assert.deepEqual(await types(exact), ['kv-v1/write']);
  });

  it('applies a filter on data_path and operation, and refuses one it cannot evaluate', async () => {
    const byPath = await sub('*', { query: `json=true&filter=${encodeURIComponent('data_path == "secret/data/f/one"')}` });
    const byOp = await sub('*', { query: `json=true&filter=${encodeURIComponent('operation == "write" or (event_type == "kv-v2/data-write" and not data_path == "secret/data/f/one")')}` });
    await ok(t.root.raw('POST', 'secret/data/f/one', { data: { a: 1 } }));
    await ok(t.root.raw('POST', 'secret/data/f/two', { data: { a: 1 } }));
    await ok(t.root.raw('POST', 'kv1/f', { a: 1 }));
    const paths = async (s: Subscriber) => (await s.drain(300)).map((e) => e.data.event.metadata.data_path);
    assert.deepEqual(await paths(byPath), ['secret/data/f/one']);
    assert.deepEqual(await paths(byOp), ['secret/data/f/two', 'kv1/f']);

    const bad = await mustRefuse(t, '*', { token: t.rootToken, query: `json=true&filter=${encodeURIComponent('data_path matches "secret/.*"')}` });
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad.body), /invalid filter: unsupported operator "matches"/);
    const unknown = await mustRefuse(t, '*', { token: t.rootToken, query: `json=true&filter=${encodeURIComponent('password == "x"')}` });
    assert.equal(unknown.status, 400);
    assert.match(errorOf(unknown.body), /unknown selector "password"/);
  });

  it('refuses response wrapping and tokens with a use limit, minting and spending nothing', async () => {
    const wrapped = await mustRefuse(t, 'kv*', { token: t.rootToken, query: 'json=true', headers: { 'X-Vault-Wrap-TTL': '60s' } });
    assert.equal(wrapped.status, 400);
    assert.match(errorOf(wrapped.body), /cannot be response-wrapped/);
    const limited = ((await t.root.write('auth/token/create', { num_uses: 1 }))!.auth as { client_token: string }).client_token;
    const refused = await mustRefuse(t, 'kv*', { token: limited, query: 'json=true' });
    assert.equal(refused.status, 400);
    assert.match(errorOf(refused.body), /use limit/);
    // The refusal spent nothing: the token's one use is still there.
    const self = await t.client(limited).raw('GET', 'auth/token/lookup-self');
    assert.equal(self.status, 200, JSON.stringify(self.body));
  });

  it('refuses a request without json=true, naming the fix, and a namespace other than root', async () => {
    const plain = await mustRefuse(t, 'kv*', { token: t.rootToken, query: '' });
    assert.equal(plain.status, 400);
    assert.match(errorOf(plain.body), /add json=true/);
    await sub('kv*', { query: 'json=true&namespaces=root' });
    const ns = await mustRefuse(t, 'kv*', { token: t.rootToken, query: 'json=true&namespaces=team-a' });
    assert.equal(ns.status, 400);
    assert.match(errorOf(ns.body), /namespace "team-a" does not exist/);
    const none = await mustRefuse(t, '', { token: t.rootToken });
    assert.equal(none.status, 400);
    assert.match(errorOf(none.body), /did not specify an event type/);
    const CRLF = '\r\n';
    const noKey = await rawExchange(t.address, [
      `GET /v1/sys/events/subscribe/kv*?json=true HTTP/1.1${CRLF}Host: x${CRLF}X-Vault-Token: ${t.rootToken}${CRLF}Connection: Upgrade${CRLF}Upgrade: websocket${CRLF}${CRLF}`,
    ]);
    const [answer] = parseResponses(noKey.data).responses;
    assert.equal(answer?.status, 400);
    assert.match(errorOf(answer!.body.toString()), /Sec-WebSocket-Key/);
    const get = await t.root.raw<{ errors: string[] }>('GET', 'sys/events/subscribe/kv*?json=true');
    assert.equal(get.status, 400);
    assert.match(get.body!.errors[0]!, /WebSocket/);
  });

  it('needs the subscribe capability: 403 at upgrade without it or without a token', async () => {
    await ok(t.root.raw('PUT', 'sys/policies/acl/read-only-events', { policy: 'path "sys/events/subscribe/*" { capabilities = ["read", "list"] }\npath "secret/*" { capabilities = ["read"] }' }));
    const reader = await tokenWith(['read-only-events']);
    assert.equal((await mustRefuse(t, 'kv*', { token: reader })).status, 403);
    assert.equal((await mustRefuse(t, 'kv*', {})).status, 403);
    assert.equal((await mustRefuse(t, 'kv*', { token: 'hvs.not-a-token' })).status, 403);
  });

  it('sends a subscriber only the events of paths its token may read', async () => {
    await ok(
      t.root.raw('PUT', 'sys/policies/acl/watch-public', {
        policy: [
          'path "sys/events/subscribe/kv*" { capabilities = ["subscribe"] }',
          'path "secret/data/*" { capabilities = ["read"] }',
          'path "secret/data/private/*" { capabilities = ["deny"] }',
        ].join('\n'),
      }),
    );
    const watcher = await tokenWith(['watch-public']);
    assert.equal((await mustRefuse(t, '*', { token: watcher })).status, 403, 'subscribe is granted on kv* only');
    const s = await sub('kv*', { token: watcher });
    await ok(t.root.raw('POST', 'secret/data/private/root-ca', { data: { a: 1 } }));
    await ok(t.root.raw('POST', 'secret/data/public/motd', { data: { a: 1 } }));
    await ok(t.root.raw('POST', 'kv1/elsewhere', { a: 1 }));
    await ok(t.root.raw('POST', 'secret/metadata/private/root-ca', { max_versions: 2 }));
    await ok(t.root.raw('DELETE', 'secret/data/private/root-ca'));
    await ok(t.root.raw('POST', 'secret/destroy/private/root-ca', { versions: [1] }));
    await ok(t.root.raw('DELETE', 'secret/data/public/motd'));
    const seen = (await s.drain(400)).map((e) => `${e.data.event_type} ${e.data.event.metadata.path}`);
    assert.deepEqual(seen, ['kv-v2/data-write secret/data/public/motd', 'kv-v2/data-delete secret/data/public/motd']);
  });

  it('checks each event against the policies as they are now', async () => {
    const policy = (rules: string[]) => ok(t.root.raw('PUT', 'sys/policies/acl/changing', { policy: rules.join('\n') }));
    await policy(['path "sys/events/subscribe/*" { capabilities = ["subscribe"] }', 'path "secret/data/live/*" { capabilities = ["read"] }']);
    const s = await sub('kv-v2/data-write', { token: await tokenWith(['changing']) });
    await ok(t.root.raw('POST', 'secret/data/live/a', { data: { a: 1 } }));
    assert.equal((await s.next()).data.event.metadata.path, 'secret/data/live/a');
    await policy(['path "sys/events/subscribe/*" { capabilities = ["subscribe"] }', 'path "secret/data/live/*" { capabilities = ["list"] }']);
    await ok(t.root.raw('POST', 'secret/data/live/b', { data: { a: 1 } }));
    assert.deepEqual(await s.drain(300), [], 'read was taken away');
    await policy(['path "secret/data/live/*" { capabilities = ["read"] }']);
    const closed = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    assert.deepEqual(closed, { code: 1008, reason: 'permission denied: the token lost the subscribe capability' });
  });

  it('closes the stream when its token is revoked', async () => {
    await ok(t.root.raw('PUT', 'sys/policies/acl/watch-all', { policy: 'path "sys/events/subscribe/*" { capabilities = ["subscribe"] }\npath "secret/*" { capabilities = ["read"] }' }));
    const token = await tokenWith(['watch-all']);
    const s = await sub('kv*', { token });
    await ok(t.root.raw('POST', 'secret/data/before-revoke', { data: { a: 1 } }));
    assert.equal((await s.next()).data.event.metadata.path, 'secret/data/before-revoke');
    await ok(t.root.raw('POST', 'auth/token/revoke', { token }));
    const closed = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    assert.deepEqual(closed, { code: 1008, reason: 'token revoked or expired' });
  });

  it('closes the stream when its token expires', async () => {
    const res = await ok(t.root.raw<{ auth: { client_token: string } }>('POST', 'auth/token/create', { policies: ['watch-all'], ttl: '2s' }));
    const s = await sub('kv*', { token: (res.body as { auth: { client_token: string } }).auth.client_token });
    const closed = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    assert.deepEqual(closed, { code: 1008, reason: 'token revoked or expired' });
  });

  it('audits the subscribe request like any other', async () => {
    const s = await sub('kv-v2/data-write', { query: 'json=true' });
    s.close();
    const { request, response } = lastPair(readAuditLog(auditFile), 'sys/events/subscribe/kv-v2/data-write', 'subscribe');
    assert.equal(request.auth.policies?.[0], 'root');
    assert.equal(request.request.operation, 'subscribe');
    assert.match(String(response.response?.data?.event_type), /^hmac-sha256:/, 'answer strings are hashed as in every entry');
    const refused = await mustRefuse(t, 'kv-v2/data-write', { token: 'hvs.bogus' });
    assert.equal(refused.status, 403);
    const denied = readAuditLog(auditFile).filter((l) => l.type === 'response' && l.request.path === 'sys/events/subscribe/kv-v2/data-write' && l.error);
    assert.ok(denied.length >= 1, 'the refused subscription is audited too');
  });
});

describe('sys/events/subscribe when the server seals, and over TLS', () => {
  it('closes every stream when the server seals', async () => {
    const t = await startDevServer();
    try {
      const s = await mustSubscribe(t, '*');
      await t.root.raw('POST', 'secret/data/x', { data: { a: 1 } });
      await s.next();
      assert.equal((await t.root.raw('PUT', 'sys/seal')).status, 204);
      const closed = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
      assert.deepEqual(closed, { code: 1001, reason: 'server sealed' });
      assert.equal((await mustRefuse(t, '*', { token: t.rootToken })).status, 503);
    } finally {
      await t.close();
    }
  });

  it('streams over a TLS listener, read through the API client', async () => {
    const t = await startDevServer({}, {}, 'https');
    try {
      const opts = { address: t.address, token: t.rootToken, tls: { ca: t.tls!.cert } };
      const s = await subscribeEvents({ ...opts, filter: 'data_path == "secret/data/tls"' }, 'kv-v2/data-write');
      await t.root.raw('POST', 'secret/data/other', { data: { a: 1 } });
      await t.root.raw('POST', 'secret/data/tls', { data: { a: 1 } });
      for await (const e of s) {
        assert.equal(e.data.event.metadata.data_path, 'secret/data/tls');
        break;
      }
      s.close();
      assert.equal((await s.closed).code, 1005);
      await assert.rejects(subscribeEvents({ ...opts, token: 'hvs.nope' }, '*'), (e: unknown) => e instanceof ApiError && e.status === 403);
    } finally {
      await t.close();
    }
  });
});
