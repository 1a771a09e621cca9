/**
 * kv answers that Vault clients key on, over HTTP: the check-and-set mismatch for a
 * negative cas, and the 404 with a warning (no `errors`) for a path a versioned mount does
 * not have. Each answer is Vault's, read from its kv plugin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpMethod } from '../src/api/client.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Body = Record<string, unknown> & { errors?: string[]; warnings?: string[] | null };

const INVALID = (command: string) =>
  'Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. ' +
  `If using the Vault CLI, use 'vault kv ${command}' for this operation.`;
const ROOT = 'Non-listing operations on the root of a K/V v2 mount are not supported.';

describe('kv answers Vault clients match on', () => {
  let t: TestServer;
  const call = (method: HttpMethod, path: string, body?: unknown) => t.root.raw<Body>(method, path, body);

  before(async () => {
    t = await startDevServer();
    await t.root.write('sys/mounts/kv2', { type: 'kv', options: { version: '2' } });
    await t.root.write('kv2/data/app/secret', { data: { a: 1 } });
  });
  after(() => t.close());

  it('refuses a negative cas as a check-and-set mismatch, writing nothing', async () => {
    for (const cas of [-1, '-1', -5]) {
      for (const path of ['kv2/data/app/secret', 'kv2/data/app/new']) {
        const res = await call('POST', path, { data: { b: 2 }, options: { cas } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.deepEqual(res.body!.errors, ['check-and-set parameter did not match the current version']);
      }
    }
    const patch = await t.root.raw<Body>('PATCH', 'kv2/data/app/secret', { data: { b: 2 }, options: { cas: -1 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.deepEqual(patch.body!.errors, ['check-and-set parameter did not match the current version']);
    const meta = (await t.root.read('kv2/metadata/app/secret'))!.data as { current_version: number };
    assert.equal(meta.current_version, 1);
    assert.equal((await call('GET', 'kv2/data/app/new')).status, 404);
    // Not an integer at all: still a 400 naming the field.
    const bad = await call('POST', 'kv2/data/app/secret', { data: { b: 2 }, options: { cas: 'one' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body!.errors![0]!, /"options\.cas"/);
  });

  it('answers a path without data/ with 404, data null and Vault’s warning, for every operation', async () => {
    const cases: [HttpMethod, string, string][] = [
      ['GET', 'kv2/app/secret', 'get'],
      ['LIST', 'kv2/app/secret', 'list'],
      ['POST', 'kv2/app/secret', 'put'],
      ['PUT', 'kv2/app/secret', 'put'],
      ['DELETE', 'kv2/app/secret', 'delete'],
      ['LIST', 'kv2/', 'list'],
      ['GET', 'kv2/subkeys', 'get'],
    ];
    for (const [method, path, command] of cases) {
      const res = await call(method, path, method === 'POST' || method === 'PUT' ? { data: { a: 1 } } : undefined);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(Object.keys(res.body!).sort(), ['auth', 'data', 'lease_duration', 'lease_id', 'renewable', 'request_id', 'warnings', 'wrap_info']);
      assert.equal(res.body!.data, null);
      assert.equal(res.body!.errors, undefined);
      assert.match(res.body!.request_id as string, /^[0-9a-f-]{36}$/);
      assert.deepEqual(res.body!.warnings, [INVALID(command)], `${method} ${path}`);
    }
    // Nothing was written by the refused writes.
    assert.deepEqual((await t.root.list('kv2/metadata/app'))!.data!.keys, ['secret']);
  });

  it('answers a non-listing operation on a bare root (kv2/data, kv2/metadata) with Vault’s root warning', async () => {
    for (const [method, path] of [['GET', 'kv2/data'], ['POST', 'kv2/data'], ['GET', 'kv2/metadata'], ['DELETE', 'kv2/metadata'], ['POST', 'kv2/destroy']] as [HttpMethod, string][]) {
      const res = await call(method, path, method === 'POST' ? { data: { a: 1 } } : undefined);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body!.warnings, [ROOT], `${method} ${path}`);
    }
    // A LIST of a root is a folder listing, as before.
    assert.deepEqual((await t.root.list('kv2/metadata'))!.data!.keys, ['app/']);
  });

  it('still answers 403 before any of this for a token without access, and keeps the catch-all out of OpenAPI', async () => {
    const token = ((await t.root.write('auth/token/create', { policies: ['default'] }))!.auth as { client_token: string }).client_token;
    assert.equal((await t.client(token).raw('GET', 'kv2/app/secret')).status, 403);
    const spec = (await t.root.raw<{ paths: Record<string, unknown> }>('GET', 'sys/internal/specs/openapi')).body!;
    assert.ok(spec.paths['/kv2/data/{path}']);
    assert.equal(spec.paths['/kv2/{path}'], undefined);
  });
});
