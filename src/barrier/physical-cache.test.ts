import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInmemBackend } from '../physical/inmem/inmem-backend.js';
import type { PhysicalBackend } from '../physical/types.js';
import { PhysicalCache } from './physical-cache.js';

/** Counts the reads that reach the backend, so a test can tell hits from misses. */
function counting(inner: PhysicalBackend): PhysicalBackend & { gets: number } {
  const c = {
    ...inner,
    name: inner.name,
    gets: 0,
    get: async (key: string) => {
      c.gets++;
      return inner.get(key);
    },
  };
  return c;
}

test('cache: a second read is served from memory and returns an independent copy', async () => {
  const inner = counting(createInmemBackend());
  const cache = new PhysicalCache(inner);
  await inner.put('a', Buffer.from('one'));
  assert.deepEqual(await cache.get('a'), Buffer.from('one'));
  const second = await cache.get('a');
  assert.equal(inner.gets, 1);
  second!.fill(0);
  assert.deepEqual(await cache.get('a'), Buffer.from('one'));
});

test('cache: put and delete keep it in step; misses are cached too', async () => {
  const inner = counting(createInmemBackend());
  const cache = new PhysicalCache(inner);
  assert.equal(await cache.get('k'), null);
  assert.equal(await cache.get('k'), null);
  assert.equal(inner.gets, 1);
  const value = Buffer.from('v1');
  await cache.put('k', value);
  value.fill(0); // the caller reusing its buffer must not change what is cached
  assert.deepEqual(await cache.get('k'), Buffer.from('v1'));
  await cache.delete('k');
  assert.equal(await cache.get('k'), null);
  await cache.transaction([{ kind: 'put', key: 'k', value: Buffer.from('v2') }]);
  assert.deepEqual(await cache.get('k'), Buffer.from('v2'));
  assert.equal(inner.gets, 2);
});

test('cache: entry and byte limits evict the least recently used', async () => {
  const inner = counting(createInmemBackend());
  const cache = new PhysicalCache(inner, { maxEntries: 2 });
  for (const k of ['a', 'b', 'c']) await inner.put(k, Buffer.from(k));
  await cache.get('a');
  await cache.get('b');
  await cache.get('a'); // a is now most recent
  await cache.get('c'); // evicts b
  assert.equal(cache.size, 2);
  const before = inner.gets;
  await cache.get('a');
  assert.equal(inner.gets, before);
  await cache.get('b');
  assert.equal(inner.gets, before + 1);

  const small = new PhysicalCache(inner, { maxBytes: 4096 });
  await inner.put('big', Buffer.alloc(2000));
  await small.get('big'); // larger than a quarter of the budget: not cached
  assert.equal(small.size, 0);
  for (let i = 0; i < 100; i++) {
    await inner.put(`k${i}`, Buffer.alloc(100));
    await small.get(`k${i}`);
  }
  assert.ok(small.byteSize <= 4096);
  assert.ok(small.size < 100);
});

test('cache: a read racing a write does not cache the older value', async () => {
  const base = createInmemBackend();
  await base.put('k', Buffer.from('old'));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: PhysicalBackend = {
    ...base,
    get: async (key) => {
      const v = await base.get(key);
      await gate;
      return v;
    },
  };
  const cache = new PhysicalCache(slow);
  const read = cache.get('k');
  await cache.put('k', Buffer.from('new'));
  release();
  assert.deepEqual(await read, Buffer.from('old'));
  assert.deepEqual(await cache.get('k'), Buffer.from('new'));
});

test('cache: clear drops everything', async () => {
  const inner = counting(createInmemBackend());
  const cache = new PhysicalCache(inner);
  await cache.put('a', Buffer.from('x'));
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.byteSize, 0);
  assert.deepEqual(await cache.get('a'), Buffer.from('x'));
  assert.equal(inner.gets, 1);
});

test('cache: eviction gives a read entry a second chance and evicts the unread first', async () => {
  const inner = counting(createInmemBackend());
  const cache = new PhysicalCache(inner, { maxEntries: 3 });
  for (const k of ['a', 'b', 'c', 'd', 'e']) await inner.put(k, Buffer.from(k));
  for (const k of ['a', 'b', 'c']) await cache.get(k);
  for (let i = 0; i < 1000; i++) await cache.getShared('a'); // a hot key, read over and over
  await cache.get('d'); // evicts b: a was read since it came in
  await cache.get('e'); // evicts c
  const before = inner.gets;
  for (const k of ['a', 'd', 'e']) await cache.get(k);
  assert.equal(inner.gets, before, 'a, d and e are all cached');
  await cache.get('b');
  assert.equal(inner.gets, before + 1);
});
