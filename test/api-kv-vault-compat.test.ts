/**
 * kv answers that Vault clients key on, over HTTP: the check-and-set mismatch for a
 * negative cas. Each answer is Vault's, read from its kv plugin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpMethod } from '../src/api/client.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Body = Record<string, unknown> & { errors?: string[]; warnings?: string[] | null };

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
});
