import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryCache } from './entry-cache.js';

const buf = (s: string) => Buffer.from(s);

test('entry cache: hits are copies; a caller editing its copy leaves the cache alone', () => {
  const cache = new EntryCache();
  assert.equal(cache.get('a'), undefined);
  cache.fill('a', buf('one'), cache.stamp());
  const first = cache.get('a')!;
  first.fill(0);
  assert.deepEqual(cache.get('a'), buf('one'));
  cache.fill('missing', null, cache.stamp());
  assert.equal(cache.get('missing'), null, 'a miss is cached as null');
});

test('entry cache: a read that overlapped a write is not kept', () => {
  const cache = new EntryCache();
  const stamp = cache.stamp();
  const write = cache.beginWrite(['k']);
  cache.fill('k', buf('old'), stamp); // the read began before the write
  assert.equal(cache.get('k'), undefined);
  cache.fill('k', buf('old or new'), cache.stamp()); // the read began while the write was under way
  assert.equal(cache.get('k'), undefined);
  cache.endWrite(write, [['k', buf('new')]]);
  assert.deepEqual(cache.get('k'), buf('new'));
  const late = cache.stamp();
  const again = cache.beginWrite(['k']);
  cache.endWrite(again, [['k', buf('newer')]]);
  cache.fill('k', buf('stale'), late);
  assert.deepEqual(cache.get('k'), buf('newer'), 'a fill with a stamp from before a write of its key is dropped');
});

test('entry cache: writes of other keys, under way or finished, do not stop a read from being kept', () => {
  const cache = new EntryCache();
  const stamp = cache.stamp();
  const busy = cache.beginWrite(['other']);
  const done = cache.beginWrite(['third']);
  cache.endWrite(done, [['third', buf('3')]]);
  cache.fill('k', buf('v'), stamp);
  assert.deepEqual(cache.get('k'), buf('v'), 'kept while a write of another key is under way');
  cache.fill('k2', buf('v2'), cache.stamp());
  assert.deepEqual(cache.get('k2'), buf('v2'));
  cache.endWrite(busy, [['other', buf('o')]]);
  assert.deepEqual(cache.get('other'), buf('o'));
  assert.deepEqual(cache.get('third'), buf('3'));
});

test('entry cache: per key, a read racing a write of that key is never kept', () => {
  const cache = new EntryCache();
  // Read begins, then a write of k begins and ends before the read returns.
  const before = cache.stamp();
  const w1 = cache.beginWrite(['k', 'other']);
  cache.endWrite(w1, [['k', buf('new')], ['other', buf('o')]]);
  cache.fill('k', buf('old'), before);
  assert.deepEqual(cache.get('k'), buf('new'), 'the read that began before the write is dropped');
  // A write of k under way: reads of k begun before or during it are not kept.
  const during = cache.stamp();
  const w2 = cache.beginWrite(['k']);
  cache.fill('k', buf('old or new'), during);
  cache.fill('k', buf('old or new'), cache.stamp());
  assert.equal(cache.get('k'), undefined);
  const stampedInside = cache.stamp();
  cache.endWrite(w2); // failed: what storage holds is unknown
  cache.fill('k', buf('unknown'), stampedInside);
  assert.equal(cache.get('k'), undefined, 'a read begun while the write was under way stays out after it ends');
  cache.fill('k', buf('settled'), cache.stamp());
  assert.deepEqual(cache.get('k'), buf('settled'), 'a read begun after the write ended is kept');
});

test('entry cache: overlapping writes of different keys each keep their own value', () => {
  const cache = new EntryCache();
  const a = cache.beginWrite(['a', 'shared']);
  const b = cache.beginWrite(['b', 'shared']);
  const shared = buf('S');
  cache.endWrite(a, [['a', buf('A')], ['shared', shared]]);
  cache.endWrite(b, [['b', buf('B')], ['shared', buf('T')]]);
  assert.deepEqual(cache.get('a'), buf('A'));
  assert.deepEqual(cache.get('b'), buf('B'));
  assert.equal(cache.get('shared'), undefined, 'two writes of one key overlapped: order unknown');
  assert.deepEqual(shared, Buffer.alloc(1));
});

test('entry cache: pruning the write records drops only reads that began before it', () => {
  const cache = new EntryCache({ maxTrackedWrites: 2 });
  const old = cache.stamp();
  const inFlight = cache.beginWrite(['k']);
  for (const key of ['x', 'y', 'z']) cache.endWrite(cache.beginWrite([key])); // prunes
  cache.fill('unrelated', buf('u'), old);
  assert.equal(cache.get('unrelated'), undefined, 'conservative: begun before the prune');
  cache.fill('k', buf('during'), cache.stamp());
  assert.equal(cache.get('k'), undefined, 'a write still under way survives the prune');
  cache.endWrite(inFlight, [['k', buf('K')]]);
  assert.deepEqual(cache.get('k'), buf('K'));
  cache.fill('unrelated', buf('u'), cache.stamp());
  assert.deepEqual(cache.get('unrelated'), buf('u'));
});

test('entry cache: a write under way across a clear (a seal) keeps nothing', () => {
  const cache = new EntryCache();
  const w = cache.beginWrite(['k']);
  cache.clear();
  const value = buf('v');
  cache.endWrite(w, [['k', value]]);
  assert.equal(cache.get('k'), undefined);
  assert.deepEqual(value, Buffer.alloc(1));
});

test('entry cache: overlapping writes keep nothing, and what they stored is zeroed', () => {
  const cache = new EntryCache();
  const a = cache.beginWrite(['k']);
  const b = cache.beginWrite(['k']);
  const first = buf('A');
  const second = buf('B');
  cache.endWrite(b, [['k', second]]);
  cache.endWrite(a, [['k', first]]);
  assert.equal(cache.get('k'), undefined, 'their order in storage is unknown');
  assert.deepEqual(first, Buffer.alloc(1));
  assert.deepEqual(second, Buffer.alloc(1));
});

test('entry cache: a write forgets its keys at once; a failed write keeps nothing', () => {
  const cache = new EntryCache();
  cache.fill('k', buf('v1'), cache.stamp());
  const stamp = cache.beginWrite(['k']);
  assert.equal(cache.get('k'), undefined);
  cache.endWrite(stamp);
  assert.equal(cache.get('k'), undefined);
  const del = cache.beginWrite(['k']);
  cache.endWrite(del, [['k', null]]);
  assert.equal(cache.get('k'), null);
});

test('entry cache: clear zeroes every value it holds', () => {
  const cache = new EntryCache();
  const value = buf('secret');
  const stamp = cache.beginWrite(['k']);
  cache.endWrite(stamp, [['k', value]]);
  const before = cache.stamp();
  cache.clear();
  assert.deepEqual(value, Buffer.alloc(6));
  assert.equal(cache.size, 0);
  assert.equal(cache.byteSize, 0);
  cache.fill('k', buf('x'), before);
  assert.equal(cache.get('k'), undefined, 'a read from before the clear (the seal) is not kept');
});

test('entry cache: entry and byte limits evict; a read entry gets a second chance', () => {
  const cache = new EntryCache({ maxEntries: 3 });
  for (const k of ['a', 'b', 'c']) cache.fill(k, buf(k), cache.stamp());
  for (let i = 0; i < 1000; i++) cache.get('a'); // a hot key, read over and over
  cache.fill('d', buf('d'), cache.stamp()); // evicts b: a was read since it came in
  cache.fill('e', buf('e'), cache.stamp()); // evicts c
  assert.equal(cache.size, 3);
  for (const k of ['a', 'd', 'e']) assert.deepEqual(cache.get(k), buf(k));
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('c'), undefined);

  const small = new EntryCache({ maxBytes: 4096 });
  small.fill('big', Buffer.alloc(2000), small.stamp()); // over a quarter of the budget: passes through
  assert.equal(small.size, 0);
  for (let i = 0; i < 100; i++) small.fill(`k${i}`, Buffer.alloc(100), small.stamp());
  assert.ok(small.byteSize <= 4096);
  assert.ok(small.size < 100);
});

test('entry cache: a parsed value is charged against the byte budget, and the budget holds', () => {
  const cache = new EntryCache({ maxBytes: 8192 });
  const json = Buffer.from(JSON.stringify({ v: 'x'.repeat(500) }));
  cache.fill('a', json, cache.stamp());
  const before = cache.byteSize;
  const parsed = cache.getParsed('a') as { v: string };
  assert.equal(parsed.v.length, 500);
  assert.ok(Object.isFrozen(parsed));
  assert.equal(cache.getParsed('a'), parsed, 'parsed once, then shared');
  assert.equal(cache.byteSize, before + json.length * 2);
  for (let i = 0; i < 40; i++) {
    cache.fill(`k${i}`, json, cache.stamp());
    cache.getParsed(`k${i}`);
  }
  assert.ok(cache.byteSize <= 8192, `${cache.byteSize} bytes held`);
  assert.equal(cache.getParsed('missing'), undefined);
});
