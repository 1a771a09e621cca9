import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { byteOrder } from '../physical/conformance.js';
import { createInmemBackend } from '../physical/inmem/inmem-backend.js';
import { copyAll, MIGRATION_LOCK_PATH, MigrationInterrupted, setMigrationLock, walkKeys } from './migration.js';

const KEYS = ['a', 'a-b', 'a/x', 'a/y/z', 'b/1', 'b/2', 'b/3', 'c/d/e/f', 'core/seal-config', 'é/1', '😀'];

async function store(keys: string[]) {
  const b = createInmemBackend();
  for (const k of keys) await b.put(k, Buffer.from(`v:${k}`));
  return b;
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

describe('storage migration', () => {
  it('walks every key in byte order, page by page, from -start on', async () => {
    const b = await store(KEYS);
    const sorted = [...KEYS].sort(byteOrder);
    assert.deepEqual(await collect(walkKeys(b, '', 2)), sorted, 'pages of 2 miss and repeat nothing');
    assert.deepEqual(await collect(walkKeys(b, 'b/2', 1)), sorted.filter((k) => byteOrder(k, 'b/2') >= 0));
    assert.deepEqual(await collect(walkKeys(b, 'c/d', 3)), sorted.filter((k) => byteOrder(k, 'c/d') >= 0));
  });

  it('copies values as stored, overwrites the destination, keeps its other keys, and never copies the lock', async () => {
    const from = await store(KEYS);
    await setMigrationLock(from);
    const to = await store(['a', 'zzz/only-here']);
    await to.put('a', Buffer.from('old'));
    const progress: number[] = [];
    const copied = await copyAll(from, to, { batchSize: 4, pageSize: 3, onProgress: (n) => progress.push(n) });
    assert.equal(copied, KEYS.length);
    assert.deepEqual(progress, [4, 8, 11]);
    for (const k of KEYS) assert.deepEqual(await to.get(k), Buffer.from(`v:${k}`));
    assert.deepEqual(await to.get('zzz/only-here'), Buffer.from('v:zzz/only-here'));
    assert.equal(await to.get(MIGRATION_LOCK_PATH), null);
  });

  it('stops between batches when interrupted, naming the key to resume from', async () => {
    const from = await store(KEYS);
    const to = createInmemBackend();
    const stop = new AbortController();
    const err = await copyAll(from, to, { batchSize: 4, signal: stop.signal, onProgress: () => stop.abort() }).catch((e: unknown) => e);
    assert.ok(err instanceof MigrationInterrupted, String(err));
    const sorted = [...KEYS].sort(byteOrder);
    assert.equal(err.copied, 4);
    assert.equal(err.resumeAt, sorted[4]);
    assert.match(err.message, /resume with -start=/);
    assert.equal(await copyAll(from, to, { start: err.resumeAt }), KEYS.length - 4);
    for (const k of KEYS) assert.deepEqual(await to.get(k), Buffer.from(`v:${k}`));
  });
});
