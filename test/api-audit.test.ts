/**
 * Audit devices over HTTP against a real server: sys/audit, the entry format, hashing,
 * the device options, audited request headers, refused requests, seal and unseal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditHash, HMAC, lastPair, pairById, readAuditLog, RFC3339_NANO } from './helpers/audit-log.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { assertErrorBody, seal, unseal } from './security/helpers.js';

type Body = Record<string, any>;

describe('audit devices over HTTP', () => {
  let t: TestServer;
  let dir: string;
  let log: string;
  before(async () => {
    // Prefixes are off unless the configuration allows them; this server tests what they do.
    t = await startDevServer({ allowAuditLogPrefixing: true });
    dir = mkdtempSync(join(tmpdir(), 'coffer-api-audit-'));
    log = join(dir, 'audit.log');
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const enable = (path: string, body: Body) => t.root.raw('PUT', `sys/audit/${path}`, body);
  const list = async () => (await t.root.raw<Body>('GET', 'sys/audit')).body!;

  it('lists nothing at first, then a file device under data and at the top level', async () => {
    assert.deepEqual((await list()).data, {});
    const res = await enable('file', { type: 'file', description: 'main log', options: { file_path: log } });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const body = await list();
    const expected = { type: 'file', description: 'main log', options: { file_path: log }, local: false, path: 'file/' };
    assert.deepEqual(body.data['file/'], expected);
    assert.deepEqual(body['file/'], expected);
    assert.equal(statSync(log).mode & 0o777, 0o600, 'created with mode 0600');
  });

  it('refuses a taken path, an unknown type, bad options and a relative path with 400, naming the problem, and keeps nothing', async () => {
    const cases: [string, Body, RegExp][] = [
      ['file', { type: 'file', options: { file_path: join(dir, 'other.log') } }, /already in use/],
      ['file/sub', { type: 'file', options: { file_path: join(dir, 'other.log') } }, /already in use/],
      ['kafka', { type: 'kafka' }, /unknown audit device type "kafka"/],
      ['notype', { options: { file_path: join(dir, 'x.log') } }, /"type" is missing/],
      ['badmode', { type: 'file', options: { file_path: join(dir, 'x.log'), mode: 'rwx' } }, /"mode"/],
      ['badformat', { type: 'file', options: { file_path: join(dir, 'x.log'), format: 'jsonx' } }, /"format"/],
      ['badopt', { type: 'file', options: { file_path: join(dir, 'x.log'), flie: '1' } }, /unknown option "flie"/],
      ['relative', { type: 'file', options: { file_path: 'audit.log' } }, /"file_path".*absolute/],
      ['nodir', { type: 'file', options: { file_path: join(dir, 'missing', 'x.log') } }, /cannot be used: ENOENT/],
      ['badsock', { type: 'socket', options: { address: 'nowhere' } }, /"address"/],
      ['bad*path', { type: 'file', options: { file_path: 'discard' } }, /invalid audit device path/],
    ];
    for (const [path, body, pattern] of cases) {
      const res = await enable(path, body);
      assert.equal(res.status, 400, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
      const [message] = assertErrorBody(res, path);
      assert.match(message!, pattern, path);
    }
    assert.deepEqual(Object.keys((await list()).data), ['file/']);
  });

  it('writes a request and a response entry in Vault\'s shape for a kv write and read', async () => {
    const write = await t.root.raw<Body>('POST', 'secret/data/app/db', { data: { password: 'pw-entry-shape', port: 5432, enabled: true } });
    assert.equal(write.status, 200);
    const read = await t.root.raw<Body>('GET', 'secret/data/app/db');
    const lines = readAuditLog(log);
    const { request, response } = pairById(lines, read.body!.request_id);
    const self = (await t.root.read('auth/token/lookup-self'))!.data!;
    const hash = (s: string) => auditHash(t.root, 'file', s);

    assert.equal(request.type, 'request');
    assert.equal(response.type, 'response');
    assert.match(request.time, RFC3339_NANO);
    assert.ok(request.time <= response.time);
    for (const entry of [request, response]) {
      assert.equal(entry.auth.client_token, await hash(t.rootToken));
      assert.equal(entry.auth.accessor, await hash(self.accessor as string));
      assert.equal(entry.auth.display_name, 'root');
      assert.deepEqual(entry.auth.policies, ['root']);
      assert.deepEqual(entry.auth.token_policies, ['root']);
      assert.equal(entry.auth.token_type, 'service');
      assert.equal(entry.auth.token_ttl, 0);
      assert.equal(entry.request.id, read.body!.request_id);
      assert.equal(entry.request.operation, 'read');
      assert.equal(entry.request.path, 'secret/data/app/db');
      assert.equal(entry.request.mount_type, 'kv');
      assert.equal(entry.request.mount_point, 'secret/');
      assert.match(entry.request.mount_accessor, /^kv_/);
      assert.equal(entry.request.client_token, await hash(t.rootToken));
      assert.equal(entry.request.client_token_accessor, await hash(self.accessor as string));
      assert.deepEqual(entry.request.namespace, { id: 'root' });
      assert.equal(entry.request.remote_address, '127.0.0.1');
      assert.equal(entry.error, undefined);
    }
    assert.equal(response.response!.mount_type, 'kv');
    const data = response.response!.data;
    assert.equal(data.data.password, await hash('pw-entry-shape'));
    assert.equal(data.data.port, 5432, 'numbers stay clear');
    assert.equal(data.data.enabled, true, 'booleans stay clear');
    assert.equal(data.metadata.version, 1);
    assert.equal(data.metadata.custom_metadata, null, 'null stays null');
    assert.match(data.metadata.created_time, HMAC);

    const w = lastPair(lines, 'secret/data/app/db', 'create');
    assert.equal(w.request.request.data.data.password, await hash('pw-entry-shape'), 'request bodies are hashed too');
    assert.equal(w.request.request.data.data.port, 5432);
  });

  it('audits requests refused before their handler, with their error: bad token, 403, 400, 404, 405', async () => {
    const limited = (await t.root.write('auth/token/create', { policies: ['default'] }))!.auth as Body;
    const refusals: [number, () => Promise<{ status: number }>, string, string][] = [
      [403, () => t.client('not-a-real-token-abc123').raw('GET', 'secret/data/app/db'), 'secret/data/app/db', 'permission denied'],
      [403, () => t.client(limited.client_token).raw('GET', 'secret/data/app/db'), 'secret/data/app/db', 'permission denied'],
      [400, () => t.root.raw('POST', 'sys/policies/acl/bad', { policy: 42 }), 'sys/policies/acl/bad', 'invalid value for "policy"'],
      [404, () => t.root.raw('GET', 'nowhere/at/all'), 'nowhere/at/all', 'no handler for route'],
      [405, () => t.root.raw('PATCH', 'sys/audit-hash/file', { input: 'x' }), 'sys/audit-hash/file', 'unsupported operation'],
    ];
    for (const [status, send, path, error] of refusals) {
      const before = readAuditLog(log).length;
      assert.equal((await send()).status, status, path);
      const fresh = readAuditLog(log).slice(before);
      assert.equal(fresh.length, 2, `${status} ${path}: one request and one response entry`);
      const request = fresh[0]!;
      const response = fresh[1]!;
      assert.deepEqual([request.type, response.type], ['request', 'response']);
      assert.equal(request.request.id, response.request.id);
      assert.equal(request.request.path, path);
      for (const entry of [request, response]) assert.ok(entry.error?.includes(error), `${status} ${path}: ${entry.error}`);
    }
    const denied = readAuditLog(log).filter((l) => l.error === 'permission denied' && l.request.path === 'secret/data/app/db');
    assert.equal(denied[0]!.request.client_token, await auditHash(t.root, 'file', 'not-a-real-token-abc123'), 'a bad token is recorded hashed');
    assert.deepEqual(denied[0]!.auth, {});
    assert.equal(denied[2]!.auth.accessor, await auditHash(t.root, 'file', limited.accessor), 'a valid token refused by policy is recorded with its auth');
  });

  it('log_raw writes values as they are; hmac_accessor=false leaves accessors clear but hashes tokens', async () => {
    const rawLog = join(dir, 'raw.log');
    const clearAccessorLog = join(dir, 'accessor.log');
    assert.equal((await enable('raw', { type: 'file', options: { file_path: rawLog, log_raw: true } })).status, 204);
    assert.equal((await enable('acc', { type: 'file', options: { file_path: clearAccessorLog, hmac_accessor: 'false' } })).status, 204);
    const res = await t.root.raw<Body>('GET', 'secret/data/app/db');
    const self = (await t.root.read('auth/token/lookup-self'))!.data!;
    const raw = pairById(readAuditLog(rawLog), res.body!.request_id);
    assert.equal(raw.response.response!.data.data.password, 'pw-entry-shape');
    assert.equal(raw.response.auth.client_token, t.rootToken);
    const acc = pairById(readAuditLog(clearAccessorLog), res.body!.request_id);
    assert.equal(acc.request.auth.accessor, self.accessor);
    assert.equal(acc.request.request.client_token_accessor, self.accessor);
    assert.equal(acc.request.auth.client_token, await auditHash(t.root, 'acc', t.rootToken));
    assert.equal(acc.response.response!.data.data.password, await auditHash(t.root, 'acc', 'pw-entry-shape'));
    assert.notEqual(await auditHash(t.root, 'acc', 'x'), await auditHash(t.root, 'file', 'x'), 'each device has its own salt');
    for (const p of ['raw', 'acc']) assert.equal((await t.root.raw('DELETE', `sys/audit/${p}`)).status, 204);
  });

  it('starts every line with the prefix, sets the mode asked, and elides list answers when told', async () => {
    const path = join(dir, 'prefixed.log');
    const res = await enable('prefixed', { type: 'file', options: { file_path: path, prefix: 'COFFER ', mode: '0640', elide_list_responses: true } });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    assert.equal(statSync(path).mode & 0o777, 0o640);
    await t.root.write('secret/data/app/other', { data: { a: 'b' } });
    await t.root.raw('LIST', 'secret/metadata/app');
    const lines = readAuditLog(path, 'COFFER ');
    assert.ok(lines.length >= 4);
    assert.equal(lastPair(lines, 'secret/metadata/app/', 'list').response.response!.data.keys, 2, 'the count, not the names');
    assert.ok(Array.isArray(lastPair(readAuditLog(log), 'secret/metadata/app/', 'list').response.response!.data.keys), 'other devices keep the names');
    assert.equal((await t.root.raw('DELETE', 'sys/audit/prefixed')).status, 204);
  });

  it('records the configured request headers, hashed when hmac is true, and manages the list', async () => {
    assert.deepEqual((await t.root.read('sys/config/auditing/request-headers'))!.data, { headers: {} });
    assert.equal((await t.root.raw('PUT', 'sys/config/auditing/request-headers/X-Request-Source', { hmac: false })).status, 204);
    assert.equal((await t.root.raw('PUT', 'sys/config/auditing/request-headers/x-secret-header', { hmac: true })).status, 204);
    assert.deepEqual((await t.root.read('sys/config/auditing/request-headers'))!.data, {
      headers: { 'x-request-source': { hmac: false }, 'x-secret-header': { hmac: true } },
    });
    assert.deepEqual((await t.root.read('sys/config/auditing/request-headers/x-secret-header'))!.data, { 'x-secret-header': { hmac: true } });
    const res = await t.root.raw<Body>('GET', 'secret/data/app/db', undefined, { 'X-Request-Source': 'ci-job-7', 'X-Secret-Header': 'header-secret', 'X-Other': 'not-recorded' });
    const { request } = pairById(readAuditLog(log), res.body!.request_id);
    assert.deepEqual(request.request.headers, {
      'x-request-source': ['ci-job-7'],
      'x-secret-header': [await auditHash(t.root, 'file', 'header-secret')],
    });
    assert.equal((await t.root.raw('DELETE', 'sys/config/auditing/request-headers/x-secret-header')).status, 204);
    assert.equal((await t.root.raw('GET', 'sys/config/auditing/request-headers/x-secret-header')).status, 400);
    assert.equal((await t.root.raw('PUT', 'sys/config/auditing/request-headers/bad%20name', { hmac: true })).status, 400);
  });

  it('keeps every header of concurrent changes to the audited-header table', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `x-concurrent-${i}`);
    const puts = await Promise.all(names.map((n, i) => t.root.raw('PUT', `sys/config/auditing/request-headers/${n}`, { hmac: i % 2 === 0 })));
    assert.deepEqual(puts.map((r) => r.status), names.map(() => 204));
    const headers = ((await t.root.read('sys/config/auditing/request-headers'))!.data as { headers: Record<string, { hmac: boolean }> }).headers;
    for (const [i, n] of names.entries()) assert.deepEqual(headers[n], { hmac: i % 2 === 0 }, n);
    const dels = await Promise.all(names.map((n) => t.root.raw('DELETE', `sys/config/auditing/request-headers/${n}`)));
    assert.deepEqual(dels.map((r) => r.status), names.map(() => 204));
    const left = ((await t.root.read('sys/config/auditing/request-headers'))!.data as { headers: Record<string, unknown> }).headers;
    assert.deepEqual(Object.keys(left).filter((n) => n.startsWith('x-concurrent-')), []);
  });

  it('needs sudo to list or enable devices and to change audited headers', async () => {
    await t.root.write('sys/policies/acl/audit-no-sudo', { policy: 'path "sys/audit*" { capabilities = ["read", "update", "delete"] }\npath "sys/config/*" { capabilities = ["read", "update"] }' });
    const c = t.client(((await t.root.write('auth/token/create', { policies: ['audit-no-sudo'] }))!.auth as Body).client_token);
    assert.equal((await c.raw('GET', 'sys/audit')).status, 403);
    assert.equal((await c.raw('PUT', 'sys/audit/x', { type: 'file', options: { file_path: 'discard' } })).status, 403);
    assert.equal((await c.raw('PUT', 'sys/config/auditing/request-headers/x-a', { hmac: true })).status, 403);
    assert.equal((await c.raw('POST', 'sys/audit-hash/file', { input: 'x' })).status, 200, 'audit-hash needs no sudo, as in Vault');
  });

  it('keeps its devices and their salts across seal and unseal', async () => {
    const before = await auditHash(t.root, 'file', 'stable');
    await seal(t);
    await unseal(t);
    assert.deepEqual(Object.keys((await list()).data), ['file/']);
    assert.equal(await auditHash(t.root, 'file', 'stable'), before);
    const res = await t.root.raw<Body>('GET', 'secret/data/app/db');
    pairById(readAuditLog(log), res.body!.request_id);
    assert.equal(lastPair(readAuditLog(log), 'sys/seal', 'update').request.auth.display_name, 'root', 'the seal itself is audited');
  });

  it('disables a device: its entries stop, and enabling the path again gets a new salt', async () => {
    const before = await auditHash(t.root, 'file', 'x');
    assert.equal((await t.root.raw('DELETE', 'sys/audit/file')).status, 204);
    assert.equal((await t.root.raw('DELETE', 'sys/audit/never-enabled')).status, 204);
    const count = readAuditLog(log).length;
    assert.equal(lastPair(readAuditLog(log), 'sys/audit/file', 'delete').response.type, 'response', 'the disable itself is in the log');
    await t.root.read('secret/data/app/db');
    assert.equal(readAuditLog(log).length, count);
    const gone = await t.root.raw<Body>('POST', 'sys/audit-hash/file', { input: 'x' });
    assert.equal(gone.status, 400);
    assert.deepEqual(gone.body!.errors, ['unknown audit backend "file/"'], "Vault's words");
    assert.equal((await enable('file', { type: 'file', options: { file_path: log } })).status, 204);
    assert.notEqual(await auditHash(t.root, 'file', 'x'), before);
  });

  it('leaves health and seal-status checks out, as Vault does', async () => {
    const count = readAuditLog(log).length;
    await t.anon.raw('GET', 'sys/health');
    await t.anon.raw('GET', 'sys/seal-status');
    assert.equal(readAuditLog(log).length, count);
  });
});
