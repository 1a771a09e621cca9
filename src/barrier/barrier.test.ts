import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CofferError } from '../errors.js';
import { createInmemBackend } from '../physical/inmem/inmem-backend.js';
import type { PhysicalBackend } from '../physical/types.js';
import { Barrier, KEYRING_PATH, type BarrierOptions } from './barrier.js';

const isSealed = (e: unknown) => e instanceof CofferError && e.kind === 'Sealed';
const authFailure = (key: string) => new RegExp(`barrier: entry at ${key} failed authentication`);

// Tests that tamper with storage underneath a running barrier turn the cache off: the cache
// holds the entry as it was written, which is the point of a cache.
const noCache: BarrierOptions = { cache: false };

async function unsealedBarrier(physical: PhysicalBackend = createInmemBackend(), options: BarrierOptions = {}) {
  const rootKey = randomBytes(32);
  const barrier = new Barrier(physical, options);
  await barrier.initialize(rootKey);
  assert.equal(barrier.sealed, true, 'initialize leaves the barrier sealed');
  await barrier.unseal(rootKey);
  return { physical, barrier, rootKey };
}

test('barrier: round trip, list and listPage pass through', async () => {
  const { barrier } = await unsealedBarrier();
  await barrier.put('app/a', Buffer.from('alpha'));
  await barrier.put('app/dir/b', Buffer.from('beta'));
  assert.deepEqual(await barrier.get('app/a'), Buffer.from('alpha'));
  assert.equal(await barrier.get('app/missing'), null);
  assert.deepEqual(await barrier.list('app/'), ['a', 'dir/']);
  assert.deepEqual(await barrier.listPage('app/', 'a', 10), ['dir/']);
  await barrier.delete('app/a');
  assert.equal(await barrier.get('app/a'), null);
  const view = barrier.view('app/dir/');
  assert.deepEqual(await view.get('b'), Buffer.from('beta'));
});

test('barrier: the stored bytes do not contain the plaintext', async () => {
  const { barrier, physical } = await unsealedBarrier();
  const secret = 'correct horse battery staple';
  await barrier.put('secret/x', Buffer.from(secret));
  const raw = (await physical.get('secret/x'))!;
  assert.equal(raw.includes(Buffer.from(secret)), false);
  assert.equal(raw[0], 1, 'version byte');
  assert.equal(raw.readUInt32BE(1), 1, 'first term');
  assert.equal(raw.length, 1 + 4 + 12 + secret.length + 16);
});

test('barrier: a tampered byte anywhere in the entry fails authentication', async () => {
  const { barrier, physical } = await unsealedBarrier(createInmemBackend(), noCache);
  await barrier.put('t/x', Buffer.from('value'));
  const raw = (await physical.get('t/x'))!;
  for (const i of [5, 17, 20, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[i]! ^= 0x01;
    await physical.put('t/x', bad);
    await assert.rejects(barrier.get('t/x'), authFailure('t/x'));
  }
  await physical.put('t/x', raw.subarray(0, 10));
  await assert.rejects(barrier.get('t/x'), /malformed/);
});

test('barrier: an entry copied to another key fails authentication', async () => {
  const { barrier, physical } = await unsealedBarrier(createInmemBackend(), noCache);
  await barrier.put('a/1', Buffer.from('one'));
  await physical.put('a/2', (await physical.get('a/1'))!);
  await assert.rejects(barrier.get('a/2'), authFailure('a/2'));
});

test('barrier: rotate keeps old entries readable, new entries carry the new term', async () => {
  const { barrier, physical } = await unsealedBarrier(createInmemBackend(), noCache);
  await barrier.put('r/old', Buffer.from('old'));
  assert.equal(barrier.keyStatus().term, 1);
  assert.equal(barrier.keyStatus().encryptions, 1);
  const rotated = await barrier.rotate();
  assert.equal(rotated.term, 2);
  assert.ok(rotated.installTime instanceof Date);
  await barrier.put('r/new', Buffer.from('new'));
  assert.equal((await physical.get('r/old'))!.readUInt32BE(1), 1);
  assert.equal((await physical.get('r/new'))!.readUInt32BE(1), 2);
  assert.deepEqual(await barrier.get('r/old'), Buffer.from('old'));
  assert.deepEqual(await barrier.get('r/new'), Buffer.from('new'));
  assert.deepEqual(barrier.keyStatus(), { term: 2, installTime: rotated.installTime, encryptions: 1 });

  // Swapping the term in the header points at a real but wrong key: authentication fails.
  const swapped = Buffer.from((await physical.get('r/new'))!);
  swapped.writeUInt32BE(1, 1);
  await physical.put('r/new', swapped);
  await assert.rejects(barrier.get('r/new'), authFailure('r/new'));
  swapped.writeUInt32BE(9, 1);
  await physical.put('r/new', swapped);
  await assert.rejects(barrier.get('r/new'), /unknown key term 9/);
});

test('barrier: sealed, every call fails and key buffers are zeroed', async () => {
  const { barrier } = await unsealedBarrier();
  await barrier.rotate();
  await barrier.put('s/x', Buffer.from('x'));
  // Reach into the private state on purpose: the invariant is about these exact buffers.
  const state = (barrier as unknown as { state: { keyring: { terms: Map<number, { key: Buffer }> }; rootKey: Buffer } })
    .state;
  const held = [state.rootKey, ...[...state.keyring.terms.values()].map((t) => t.key)];
  assert.equal(held.length, 3);
  assert.ok(held.every((b) => b.some((x) => x !== 0)));
  barrier.seal();
  assert.equal(barrier.sealed, true);
  for (const b of held) assert.ok(b.every((x) => x === 0), 'key buffer zeroed');
  await assert.rejects(barrier.get('s/x'), isSealed);
  await assert.rejects(barrier.put('s/x', Buffer.from('y')), isSealed);
  await assert.rejects(barrier.delete('s/x'), isSealed);
  await assert.rejects(barrier.list('s/'), isSealed);
  await assert.rejects(barrier.listPage('s/', '', 10), isSealed);
  await assert.rejects(barrier.rotate(), isSealed);
  assert.throws(() => barrier.keyStatus(), isSealed);
  assert.throws(() => barrier.getRootKey(), isSealed);
  assert.equal((barrier as unknown as { state: unknown }).state, null);
});

test('barrier: a wrong root key fails and leaves it sealed; initialize refuses twice', async () => {
  const physical = createInmemBackend();
  const barrier = new Barrier(physical);
  assert.equal(await barrier.isInitialized(), false);
  await assert.rejects(barrier.unseal(randomBytes(32)), /not initialized/);
  const rootKey = randomBytes(32);
  await barrier.initialize(rootKey);
  assert.equal(await barrier.isInitialized(), true);
  await assert.rejects(barrier.initialize(randomBytes(32)), /already initialized/);
  await assert.rejects(barrier.unseal(randomBytes(32)), /core\/keyring failed authentication/);
  await assert.rejects(barrier.unseal(Buffer.alloc(16)), /32 bytes/);
  assert.equal(barrier.sealed, true);
  await barrier.unseal(rootKey);
  assert.equal(barrier.sealed, false);
});

test('barrier: restart on the same storage reads everything after unseal', async () => {
  const { barrier, physical, rootKey } = await unsealedBarrier();
  await barrier.put('p/1', Buffer.from('first'));
  await barrier.rotate();
  await barrier.put('p/2', Buffer.from('second'));
  barrier.seal();
  const again = new Barrier(physical);
  assert.equal(again.sealed, true);
  await again.unseal(rootKey);
  assert.deepEqual(await again.get('p/1'), Buffer.from('first'));
  assert.deepEqual(await again.get('p/2'), Buffer.from('second'));
  assert.equal(again.keyStatus().term, 2);
});

test('barrier: rekeyRootKey re-seals the keyring under a new root key', async () => {
  const { barrier, physical, rootKey } = await unsealedBarrier();
  await barrier.put('k/1', Buffer.from('v'));
  const newRoot = randomBytes(32);
  await barrier.rekeyRootKey(newRoot);
  assert.deepEqual(barrier.getRootKey(), newRoot);
  const copy = barrier.getRootKey();
  copy.fill(0); // a copy: zeroing it leaves the barrier's own key alone
  assert.deepEqual(barrier.getRootKey(), newRoot);
  const again = new Barrier(physical);
  await assert.rejects(again.unseal(rootKey), /failed authentication/);
  await again.unseal(newRoot);
  assert.deepEqual(await again.get('k/1'), Buffer.from('v'));
  await assert.rejects(barrier.put(KEYRING_PATH, Buffer.from('x')), /reserved/);
  await assert.rejects(barrier.delete(KEYRING_PATH), /reserved/);
});

test('barrier: the cache is wiped on seal and kept in step on writes', async () => {
  const { barrier, physical, rootKey } = await unsealedBarrier();
  await barrier.put('c/1', Buffer.from('one'));
  assert.deepEqual(await barrier.get('c/1'), Buffer.from('one'));
  const cache = (barrier as unknown as { cache: { size: number } }).cache;
  assert.ok(cache.size > 0);
  barrier.seal();
  assert.equal(cache.size, 0);
  await physical.delete('c/1');
  await barrier.unseal(rootKey);
  assert.equal(await barrier.get('c/1'), null);
});

/** Counts the reads that reach storage; `gate` (when set) holds every read until it resolves. */
function counting(inner: PhysicalBackend) {
  const c = {
    ...inner,
    name: inner.name,
    gets: 0,
    gate: null as Promise<void> | null,
    get: async (key: string) => {
      c.gets++;
      const value = await inner.get(key);
      if (c.gate) await c.gate;
      return value;
    },
  };
  return c;
}

test('barrier: a second read is served from the cache, as a copy the caller may zero', async () => {
  const physical = counting(createInmemBackend());
  const { barrier } = await unsealedBarrier(physical);
  await barrier.put('c/k', Buffer.from('value'));
  const before = physical.gets;
  const first = (await barrier.get('c/k'))!;
  first.fill(0);
  assert.deepEqual(await barrier.get('c/k'), Buffer.from('value'));
  assert.equal(await barrier.get('c/none'), null);
  assert.equal(await barrier.get('c/none'), null);
  assert.equal(physical.gets - before, 1, 'the put filled the cache; only the first miss reached storage');
  await barrier.delete('c/k');
  assert.equal(await barrier.get('c/k'), null);
  await barrier.batch([{ kind: 'put', key: 'c/k', value: Buffer.from('v2') }]);
  assert.deepEqual(await barrier.get('c/k'), Buffer.from('v2'));
});

test('barrier: getParsed parses a cached entry once and shares it frozen; a write replaces it', async () => {
  const { barrier } = await unsealedBarrier();
  await barrier.put('j/k', Buffer.from(JSON.stringify({ a: { b: [1, 2] } })));
  const first = (await barrier.getParsed('j/k')) as { a: { b: number[] } };
  assert.deepEqual(first, { a: { b: [1, 2] } });
  assert.equal(await barrier.getParsed('j/k'), first, 'one shared object');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.a) && Object.isFrozen(first.a.b));
  assert.throws(() => first.a.b.push(3), TypeError);
  await barrier.put('j/k', Buffer.from(JSON.stringify({ a: 2 })));
  assert.deepEqual(await barrier.getParsed('j/k'), { a: 2 });
  assert.equal(await barrier.getParsed('j/none'), null);
  barrier.seal();
  await assert.rejects(barrier.getParsed('j/k'), isSealed);
  const uncached = (await unsealedBarrier(createInmemBackend(), noCache)).barrier;
  await uncached.put('j/k', Buffer.from('{"x":1}'));
  assert.ok(Object.isFrozen(await uncached.getParsed('j/k')), 'frozen without a cache too');
});

test('barrier: a read racing a write does not leave the older value cached', async () => {
  const physical = counting(createInmemBackend());
  const { barrier, rootKey } = await unsealedBarrier(physical);
  await barrier.put('r/k', Buffer.from('old'));
  barrier.seal(); // empties the cache
  await barrier.unseal(rootKey);
  let release!: () => void;
  physical.gate = new Promise<void>((r) => (release = r));
  const read = barrier.get('r/k'); // fetched 'old', held at the gate
  await new Promise((r) => setImmediate(r));
  physical.gate = null;
  await barrier.put('r/k', Buffer.from('new'));
  release();
  assert.deepEqual(await read, Buffer.from('old'));
  assert.deepEqual(await barrier.get('r/k'), Buffer.from('new'));
});

test('barrier: with the cache on, tampering is still caught once the entry is read from storage', async () => {
  const { barrier, physical, rootKey } = await unsealedBarrier();
  await barrier.put('t/y', Buffer.from('value'));
  const bad = Buffer.from((await physical.get('t/y'))!);
  bad[bad.length - 1]! ^= 0x80;
  await physical.put('t/y', bad);
  barrier.seal(); // wipes the cache
  await barrier.unseal(rootKey);
  await assert.rejects(barrier.get('t/y'), authFailure('t/y'));
});

test('barrier: a batch seals every put and applies puts and deletes together', async () => {
  const { barrier, physical } = await unsealedBarrier();
  await barrier.put('kv/old', Buffer.from('stale'));
  await barrier.batch([
    { kind: 'put', key: 'kv/meta', value: Buffer.from('meta-plaintext') },
    { kind: 'put', key: 'kv/data/1', value: Buffer.from('data-plaintext') },
    { kind: 'delete', key: 'kv/old' },
  ]);
  assert.deepEqual(await barrier.get('kv/meta'), Buffer.from('meta-plaintext'));
  assert.deepEqual(await barrier.get('kv/data/1'), Buffer.from('data-plaintext'));
  assert.equal(await barrier.get('kv/old'), null);
  const raw = await physical.get('kv/data/1');
  assert.ok(raw && !raw.toString('latin1').includes('data-plaintext'), 'stored encrypted');
});

test('barrier: a batch touching the keyring is refused whole, and a sealed barrier takes no batch', async () => {
  const { barrier } = await unsealedBarrier();
  await assert.rejects(
    barrier.batch([
      { kind: 'put', key: 'kv/x', value: Buffer.from('x') },
      { kind: 'put', key: KEYRING_PATH, value: Buffer.from('evil') },
    ]),
  );
  assert.equal(await barrier.get('kv/x'), null, 'nothing of the refused batch was written');
  barrier.seal();
  await assert.rejects(barrier.batch([{ kind: 'put', key: 'kv/y', value: Buffer.from('y') }]), (e: unknown) => e instanceof CofferError && e.status === 503);
});
