import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

describe('mounts over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('lists the built-in mounts with Vault’s fields', async () => {
    const res = await t.root.read('sys/mounts');
    const data = res!.data as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(data).sort(), ['cubbyhole/', 'identity/', 'secret/', 'sys/']);
    for (const m of Object.values(data)) {
      assert.ok(typeof m.accessor === 'string' && typeof m.uuid === 'string');
      assert.ok(Number.isInteger((m.config as Record<string, unknown>).default_lease_ttl));
    }
    const auth = (await t.root.read('sys/auth'))!.data as Record<string, Record<string, unknown>>;
    assert.equal(auth['token/']!.type, 'token');
    assert.match(auth['token/']!.accessor as string, /^auth_token_/);
  });

  it('enables a mount with options and config, and routes to it', async () => {
    const res = await t.root.raw('POST', 'sys/mounts/team/app', {
      type: 'kv',
      description: 'team app',
      config: { default_lease_ttl: '1h', max_lease_ttl: 7200 },
      options: { version: 1 },
    });
    assert.equal(res.status, 204);
    const mount = (await t.root.read('sys/mounts/team/app'))!.data!;
    assert.equal(mount.type, 'kv');
    assert.deepEqual(mount.options, { version: '1' });
    await t.root.write('team/app/db', { pw: 'x' });
    assert.deepEqual((await t.root.read('team/app/db'))!.data, { pw: 'x' });
  });

  it('enables "generic" as kv version 1 and keeps "generic" as its type, as Vault does', async () => {
    assert.equal((await t.root.raw('POST', 'sys/mounts/test', { type: 'generic' })).status, 204);
    const mount = (await t.root.read('sys/mounts/test'))!.data!;
    assert.equal(mount.type, 'generic');
    assert.equal(mount.options, null);
    assert.equal(((await t.root.read('sys/mounts'))!.data!['test/'] as Record<string, unknown>).type, 'generic');
    await t.root.write('test/db', { pw: 'x' });
    const read = await t.root.raw<{ data: unknown; mount_type: string }>('GET', 'test/db');
    assert.deepEqual(read.body!.data, { pw: 'x' });
    assert.equal(read.body!.mount_type, 'generic');
    assert.deepEqual((await t.root.list('test/'))!.data!.keys, ['db']);
    // Only kv has versions: Vault refuses one for any other type, generic included.
    const versioned = await t.root.raw<{ errors: string[] }>('POST', 'sys/mounts/test2', { type: 'generic', options: { version: '2' } });
    assert.equal(versioned.status, 400);
    assert.deepEqual(versioned.body!.errors, ['secrets engine "generic" does not allow setting a version']);
    assert.equal((await t.root.raw('GET', 'sys/mounts/test2')).status, 400);
  });

  it('refuses unknown types, reserved paths, overlapping paths and disabling built-ins', async () => {
    const cases: [string, string, Record<string, unknown> | undefined][] = [
      ['POST', 'sys/mounts/x', { type: 'nope' }],
      ['POST', 'sys/mounts/x', {}],
      ['POST', 'sys/mounts/sys/x', { type: 'kv' }],
      ['POST', 'sys/mounts/auth/x', { type: 'kv' }],
      ['POST', 'sys/mounts/team', { type: 'kv' }],
      ['POST', 'sys/mounts/team/app/inner', { type: 'kv' }],
      ['POST', 'sys/mounts/cubby2', { type: 'cubbyhole' }],
      ['DELETE', 'sys/mounts/cubbyhole', undefined],
      ['DELETE', 'sys/mounts/sys', undefined],
      ['POST', 'sys/mounts/bad*path', { type: 'kv' }],
      ['POST', 'sys/mounts/x', { type: 'kv', config: { default_lease_ttl: 'forever' } }],
    ];
    const before = JSON.stringify(Object.keys((await t.root.read('sys/mounts'))!.data!).sort());
    for (const [method, path, body] of cases) {
      const res = await t.root.raw<{ errors: string[] }>(method as 'POST', path, body);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.ok(res.body!.errors[0]!.length > 0);
    }
    assert.equal(JSON.stringify(Object.keys((await t.root.read('sys/mounts'))!.data!).sort()), before);
  });

  it('tunes TTLs and description, and reads them back', async () => {
    assert.equal((await t.root.raw('POST', 'sys/mounts/team/app/tune', { default_lease_ttl: '30m', max_lease_ttl: '2h', description: 'tuned' })).status, 204);
    const tune = await t.root.read('sys/mounts/team/app/tune');
    assert.equal(tune!.data!.default_lease_ttl, 1800);
    assert.equal(tune!.data!.max_lease_ttl, 7200);
    assert.equal(tune!.default_lease_ttl, 1800, 'legacy top-level copy');
    assert.equal((await t.root.read('sys/mounts/team/app'))!.data!.description, 'tuned');
    const bad = await t.root.raw('POST', 'sys/mounts/team/app/tune', { default_lease_ttl: '3h' });
    assert.equal(bad.status, 400);
  });

  it('moves a mount with its data, then disables it and its data', async () => {
    const res = await t.root.raw('POST', 'sys/remount', { from: 'team/app', to: 'moved' });
    assert.equal(res.status, 200);
    assert.deepEqual((await t.root.read('moved/db'))!.data, { pw: 'x' });
    assert.equal((await t.root.raw('GET', 'team/app/db')).status, 404);
    const uuid = (await t.root.read('sys/mounts/moved'))!.data!.uuid as string;
    assert.equal((await t.root.raw('DELETE', 'sys/mounts/moved')).status, 204);
    assert.deepEqual(await t.server.core.barrier.list(`logical/${uuid}/`), []);
    assert.equal((await t.root.raw('DELETE', 'sys/mounts/moved')).status, 204, 'disabling twice is fine');
  });

  it('enables, tunes and disables an auth mount', async () => {
    assert.equal((await t.root.raw('POST', 'sys/auth/tok2', { type: 'token' })).status, 400);
    assert.equal((await t.root.raw('POST', 'sys/auth/x', { type: 'nope' })).status, 400);
    assert.equal((await t.root.raw('POST', 'sys/auth/token/tune', { default_lease_ttl: '1h' })).status, 204);
    assert.equal((await t.root.read('sys/auth/token/tune'))!.data!.default_lease_ttl, 3600);
  });

  it('tells clients which mounts a token can reach, and a mount’s KV version', async () => {
    await t.root.write('sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    const one = await t.root.read('sys/internal/ui/mounts/kv1/some/secret');
    assert.equal(one!.data!.type, 'kv');
    assert.equal(one!.data!.path, 'kv1/');
    assert.deepEqual(one!.data!.options, { version: '1' });
    await t.root.write('sys/policies/acl/kv1-only', { policy: 'path "kv1/*" { capabilities = ["read"] }' });
    const token = ((await t.root.write('auth/token/create', { policies: ['kv1-only'] }))!.auth as { client_token: string }).client_token;
    const visible = (await t.client(token).read('sys/internal/ui/mounts'))!.data as { secret: Record<string, unknown> };
    assert.ok(visible.secret['kv1/'] && visible.secret['cubbyhole/']);
    assert.equal(visible.secret['secret/'], undefined);
    assert.equal((await t.client(token).raw('GET', 'sys/internal/ui/mounts/secret')).status, 403);
    const anon = (await t.anon.read('sys/internal/ui/mounts'))!.data as { secret: Record<string, unknown> };
    assert.deepEqual(anon.secret, {});
  });

  it('serves OpenAPI and help generated from the path tables', async () => {
    const spec = (await t.root.raw<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', 'sys/internal/specs/openapi')).body!;
    assert.equal(spec.openapi, '3.0.2');
    assert.ok(spec.paths['/sys/mounts/{path}/tune']);
    assert.ok(spec.paths['/auth/token/create']?.post);
    const help = await t.root.raw<{ help: string }>('GET', 'sys/mounts/secret/tune?help=1');
    assert.equal(help.status, 200);
    assert.match(help.body!.help, /default_lease_ttl/);
  });

  it('answers 405 for an operation a path does not support, and 404 with errors [] for nothing there', async () => {
    assert.equal((await t.root.raw('DELETE', 'sys/seal-status')).status, 405);
    const missing = await t.root.raw('GET', 'nomount/x');
    assert.equal(missing.status, 404);
    const gone = await t.root.raw('GET', 'secret/data/not-there');
    assert.deepEqual(gone.body, { errors: [] });
  });

  it('names the bad field in a 400', async () => {
    const res = await t.root.raw<{ errors: string[] }>('POST', 'sys/mounts/y', { type: 'kv', local: 'sometimes' });
    assert.equal(res.status, 400);
    assert.match(res.body!.errors[0]!, /"local"/);
  });
});
