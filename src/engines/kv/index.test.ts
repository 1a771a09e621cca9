/**
 * The kv backend through the framework's own dispatch (findPath → parseFields → existence
 * check → runHandler), with in-memory storage and a clock the test moves: SCAN (which the
 * HTTP layer does not route yet), both flavours on one path table, listing cost.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { HandlerContext, MountInfo } from '../../framework/backend.js';
import { dropNulls, findPath, parseFields, runHandler, settleWriteOperation, supportsOperation } from '../../framework/dispatch.js';
import type { Operation, Response } from '../../logical/request.js';
import type { Storage } from '../../logical/storage.js';
import { silentLogger } from '../../logging/logger.js';
import { createInmemBackend } from '../../physical/inmem/inmem-backend.js';
import kvBackend from './index.js';

function mountInfo(version: '1' | '2', path = 'kv/'): MountInfo {
  return {
    path,
    type: 'kv',
    uuid: `uuid-${version}-${Math.random()}`,
    accessor: 'kv_test',
    description: '',
    config: { default_lease_ttl: 0, max_lease_ttl: 0 },
    options: { version },
    local: false,
    sealWrap: false,
  };
}

/** Counts value reads, to show what listing costs. */
function countingStorage(): Storage & { gets: number } {
  const inner = createInmemBackend();
  const s = {
    gets: 0,
    get: (k: string) => {
      s.gets++;
      return inner.get(k);
    },
    put: (k: string, v: Buffer) => inner.put(k, v),
    delete: (k: string) => inner.delete(k),
    list: (p: string) => inner.list(p),
    listPage: (p: string, a: string, l: number) => inner.listPage(p, a, l),
  };
  return s;
}

function harness(version: '1' | '2') {
  const backend = kvBackend({ options: { version } });
  const storage = countingStorage();
  const mount = mountInfo(version);
  let now = Date.UTC(2030, 0, 1);
  const call = async (op: Operation, relPath: string, data: Record<string, unknown> = {}): Promise<Response | null> => {
    let path = relPath;
    if ((op === 'list' || op === 'scan') && !path.endsWith('/') && path !== '') path += '/';
    const route = findPath(backend, path);
    assert.ok(route, `no route for ${path}`);
    const raw = dropNulls(data);
    const { fields, ignored } = parseFields(route, raw);
    const ctx: HandlerContext = {
      req: { id: 'req', operation: op, path: mount.path + path, data, headers: {} },
      fields,
      raw,
      storage,
      logger: silentLogger,
      mount,
      system: { defaultLeaseTtl: 3600, maxLeaseTtl: 7200 },
      clock: () => now,
      random: randomBytes,
    };
    const operation = op === 'update' ? await settleWriteOperation(route, ctx) : op;
    if (!supportsOperation(route, operation)) throw new Error(`405 ${op} ${path}`);
    return runHandler(backend, route, operation, ctx, ignored);
  };
  return { call, storage, advance: (ms: number) => (now += ms) };
}

const keysOf = (res: Response | null) => (res?.data?.keys as string[] | undefined) ?? [];

describe('kv through the framework dispatch', () => {
  it('scans a version-2 tree recursively, in byte order', async () => {
    const { call } = harness('2');
    const paths = ['a', 'a/b', 'a/c/d', 'a-z', 'b/x/y/z', 'c'];
    for (const p of paths) await call('update', `data/${p}`, { data: { p } });
    assert.deepEqual(keysOf(await call('scan', 'metadata/')), ['a', 'a-z', 'a/b', 'a/c/d', 'b/x/y/z', 'c']);
    assert.deepEqual(keysOf(await call('scan', 'metadata/a')), ['b', 'c/d']);
    assert.equal(await call('scan', 'metadata/nothing/'), null);
  });

  it('pages a scan: each page resumes after the last key of the one before', async () => {
    const { call } = harness('2');
    const all: string[] = [];
    for (const top of ['f1', 'f2', 'g']) {
      for (let i = 0; i < 7; i++) {
        const p = i % 3 === 0 ? `${top}/deep/k${i}` : `${top}/k${i}`;
        all.push(p);
        await call('update', `data/${p}`, { data: { i } });
      }
    }
    const full = keysOf(await call('scan', 'metadata/'));
    assert.deepEqual([...full].sort(), [...all].sort());
    for (const limit of [1, 2, 5, 21, 100]) {
      const paged: string[] = [];
      let after = '';
      for (;;) {
        const page = keysOf(await call('scan', 'metadata/', { after, limit: String(limit) }));
        paged.push(...page);
        if (page.length < limit) break;
        after = page[page.length - 1]!;
      }
      assert.deepEqual(paged, full, `limit ${limit}`);
    }
  });

  it('scans and pages a version-1 mount the same way', async () => {
    const { call } = harness('1');
    for (const p of ['x', 'y/1', 'y/2/3', 'z']) await call('update', p, { v: p });
    assert.deepEqual(keysOf(await call('scan', '')), ['x', 'y/1', 'y/2/3', 'z']);
    assert.deepEqual(keysOf(await call('scan', '', { after: 'y/1', limit: 2 })), ['y/2/3', 'z']);
    await assert.rejects(call('scan', '', { limit: 10_001 }), /"limit"/);
  });

  it('lists and pages 20,000 secrets without reading a single value', async () => {
    const { call, storage } = harness('2');
    const n = 20_000;
    for (let i = 0; i < n; i++) await call('update', `data/big/s${String(i).padStart(6, '0')}`, { data: { i } });
    storage.gets = 0;
    const all = keysOf(await call('list', 'metadata/big'));
    assert.equal(all.length, n);
    const page = keysOf(await call('list', 'metadata/big', { after: 's009999', limit: 3 }));
    assert.deepEqual(page, ['s010000', 's010001', 's010002']);
    assert.equal(keysOf(await call('scan', 'metadata/', { limit: 10 })).length, 10);
    assert.equal(storage.gets, 0);
  });

  it('answers a version-1 mount from the v1 handlers on every version-2 path', async () => {
    const { call, storage } = harness('1');
    assert.equal(await call('update', 'data/x', { data: 'text', options: 7 }), null);
    assert.deepEqual((await call('read', 'data/x'))!.data, { data: 'text', options: 7 });
    assert.equal(await call('update', 'metadata/y', { max_versions: -1 }), null);
    assert.equal(await call('update', 'destroy/z', { versions: 'all' }), null);
    assert.deepEqual(keysOf(await call('list', '')), ['data/', 'destroy/', 'metadata/']);
    assert.deepEqual(keysOf(await call('list', 'data')), ['x']);
    assert.equal(await storage.get('meta/x'), null, 'no v2 layout on a v1 mount');
    // A version-1 mount has no PATCH anywhere: 405 from the dispatch.
    await assert.rejects(call('patch', 'data/x', { data: {} }), /405 patch/);
  });

  it('settles create vs update per flavour for ACLs', async () => {
    for (const version of ['1', '2'] as const) {
      const backend = kvBackend({ options: { version } });
      const h = harness(version);
      const path = 'data/k';
      const route = findPath(backend, path)!;
      const ctxFor = (): HandlerContext => ({
        req: { id: 'r', operation: 'update', path: `kv/${path}`, data: {}, headers: {} },
        fields: parseFields(route, { data: { a: 1 } }).fields,
        raw: { data: { a: 1 } },
        storage: h.storage,
        logger: silentLogger,
        mount: mountInfo(version),
        system: { defaultLeaseTtl: 0, maxLeaseTtl: 0 },
        clock: Date.now,
        random: randomBytes,
      });
      assert.equal(await settleWriteOperation(route, ctxFor()), 'create', `v${version} before`);
      await h.call('update', path, { data: { a: 1 } });
      assert.equal(await settleWriteOperation(route, ctxFor()), 'update', `v${version} after`);
    }
  });

  it('reads a version as deleted once delete_version_after has passed', async () => {
    const { call, advance } = harness('2');
    await call('update', 'config', { delete_version_after: '1h' });
    const written = (await call('update', 'data/t', { data: { a: 1 } }))!.data!;
    assert.equal(Date.parse(written.deletion_time as string) - Date.parse(written.created_time as string), 3600_000);
    advance(3599_000);
    assert.deepEqual((await call('read', 'data/t'))!.data!.data, { a: 1 });
    advance(1_000);
    const res = await call('read', 'data/t');
    assert.equal(res!.status, 404);
    assert.equal(res!.data!.data, null);
    await call('update', 'undelete/t', { versions: [1] });
    assert.deepEqual((await call('read', 'data/t'))!.data!.data, { a: 1 });
  });
});
