import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CofferError } from '../errors.js';
import { createInmemBackend } from '../physical/inmem/inmem-backend.js';
import type { PhysicalBackend } from '../physical/types.js';
import { Barrier } from '../barrier/barrier.js';
import { Seal } from './seal.js';
import { ROOT_KEY_PATH, SEAL_CONFIG_PATH } from './seal-store.js';

const invalid = (pattern: RegExp) => (e: unknown) => e instanceof CofferError && e.kind === 'InvalidRequest' && pattern.test(e.message);

function setup(physical: PhysicalBackend = createInmemBackend()) {
  const barrier = new Barrier(physical);
  return { physical, barrier, seal: new Seal({ physical, barrier }) };
}

test('seal: init validates shares and threshold like Vault', async () => {
  const { seal } = setup();
  const cases: [number, number, RegExp][] = [
    [0, 1, /secret_shares must be at least 1/],
    [256, 3, /secret_shares must be at most 255/],
    [3, 0, /secret_threshold must be at least 1/],
    [2, 3, /cannot be larger than secret_shares/],
    [5, 1, /greater than 1 when secret_shares is greater than 1/],
    [1.5, 1, /secret_shares must be an integer/],
  ];
  for (const [secretShares, secretThreshold, message] of cases) {
    await assert.rejects(seal.init({ secretShares, secretThreshold }), invalid(message));
  }
  await assert.rejects(seal.init({ secretShares: 3, secretThreshold: 2, pgpKeys: ['k'] }), invalid(/pgp_keys/));
  assert.equal(await seal.isInitialized(), false);
});

test('seal: init stores the config in plaintext, the root key encrypted, and stays sealed', async () => {
  const { seal, physical, barrier } = setup();
  await seal.ready();
  assert.deepEqual(seal.unsealStatus(), {
    type: 'shamir', recoverySeal: false, initialized: false, sealed: true, t: 0, n: 0, progress: 0, nonce: '',
  });
  const { keys } = await seal.init({ secretShares: 5, secretThreshold: 3 });
  assert.equal(keys.length, 5);
  assert.ok(keys.every((k) => k.length === 33));
  assert.equal(new Set(keys.map((k) => k.toString('hex'))).size, 5);
  assert.deepEqual(JSON.parse((await physical.get(SEAL_CONFIG_PATH))!.toString()), {
    type: 'shamir', secret_shares: 5, secret_threshold: 3, stored_shares: 0,
  });
  assert.equal((await physical.get(ROOT_KEY_PATH))!.length, 1 + 4 + 12 + 32 + 16);
  assert.equal(barrier.sealed, true);
  assert.equal(await seal.isInitialized(), true);
  await assert.rejects(seal.init({ secretShares: 1, secretThreshold: 1 }), invalid(/already initialized/));
});

test('seal: 5 shares / threshold 3 unseals with 3 distinct shares; duplicates do not count', async () => {
  const { seal, barrier } = setup();
  const { keys } = await seal.init({ secretShares: 5, secretThreshold: 3 });
  let s = await seal.submitUnsealKey(keys[4]!);
  assert.equal(s.progress, 1);
  assert.equal(s.sealed, true);
  assert.match(s.nonce, /^[0-9a-f-]{36}$/);
  const nonce = s.nonce;
  await assert.rejects(seal.submitUnsealKey(Buffer.from(keys[4]!)), invalid(/already provided/));
  await assert.rejects(seal.submitUnsealKey(Buffer.alloc(12)), invalid(/expected 33 bytes, got 12/));
  s = seal.unsealStatus();
  assert.equal(s.progress, 1);
  assert.equal(s.nonce, nonce);
  s = await seal.submitUnsealKey(keys[1]!);
  assert.equal(s.progress, 2);
  assert.equal(s.nonce, nonce, 'one nonce per attempt');
  s = await seal.submitUnsealKey(keys[2]!);
  assert.deepEqual(s, { type: 'shamir', recoverySeal: false, initialized: true, sealed: false, t: 3, n: 5, progress: 0, nonce: '' });
  assert.equal(barrier.sealed, false);
  await barrier.put('x', Buffer.from('y'));
  // Further keys once unsealed are ignored, as in Vault.
  assert.equal((await seal.submitUnsealKey(keys[0]!)).sealed, false);
});

test('seal: shares from another init fail at the threshold and reset progress', async () => {
  const { seal, barrier } = setup();
  const { keys } = await seal.init({ secretShares: 3, secretThreshold: 2 });
  const other = setup();
  const { keys: foreign } = await other.seal.init({ secretShares: 3, secretThreshold: 2 });
  await seal.submitUnsealKey(keys[0]!);
  await assert.rejects(seal.submitUnsealKey(foreign[1]!), invalid(/unseal failed.*keys may be wrong/));
  assert.deepEqual(seal.unsealStatus(), {
    type: 'shamir', recoverySeal: false, initialized: true, sealed: true, t: 2, n: 3, progress: 0, nonce: '',
  });
  assert.equal(barrier.sealed, true);
  await seal.submitUnsealKey(keys[1]!);
  assert.equal((await seal.submitUnsealKey(keys[2]!)).sealed, false);
});

test('seal: reset forgets progress and the nonce; a new attempt gets a new nonce', async () => {
  const { seal } = setup();
  const { keys } = await seal.init({ secretShares: 3, secretThreshold: 3 });
  const first = (await seal.submitUnsealKey(keys[0]!)).nonce;
  await seal.submitUnsealKey(keys[1]!);
  const reset = seal.resetUnseal();
  assert.equal(reset.progress, 0);
  assert.equal(reset.nonce, '');
  const second = (await seal.submitUnsealKey(keys[1]!)).nonce;
  assert.notEqual(second, first);
  await seal.submitUnsealKey(keys[0]!);
  assert.equal((await seal.submitUnsealKey(keys[2]!)).sealed, false);
});

test('seal: seal zeroes held shares and the barrier keys, and every storage call then fails', async () => {
  const { seal, barrier } = setup();
  const { keys } = await seal.init({ secretShares: 3, secretThreshold: 2 });
  await seal.submitUnsealKey(keys[0]!);
  await seal.submitUnsealKey(keys[1]!);
  await barrier.put('a', Buffer.from('b'));
  await seal.submitUnsealKey(keys[0]!); // ignored while unsealed
  const barrierState = (barrier as unknown as { state: { rootKey: Buffer } }).state;
  const rootKey = barrierState.rootKey;
  seal.seal();
  assert.ok(rootKey.every((x) => x === 0));
  // A new attempt after sealing: keep a reference to the share it holds.
  await seal.submitUnsealKey(keys[2]!);
  const held = [...(seal as unknown as { unsealShares: { shares: Buffer[] } }).unsealShares.shares];
  assert.equal(held.length, 1);
  assert.ok(held[0]!.some((x) => x !== 0));
  seal.seal();
  assert.ok(held[0]!.every((x) => x === 0), 'held share zeroed on seal');
  const s = seal.unsealStatus();
  assert.equal(s.progress, 0);
  assert.equal(s.nonce, '');
  await assert.rejects(barrier.get('a'), (e: unknown) => e instanceof CofferError && e.kind === 'Sealed');
});

test('seal: dev style, 1 share / threshold 1: the single key is the unseal key itself', async () => {
  const { seal, barrier } = setup();
  const { keys } = await seal.init({ secretShares: 1, secretThreshold: 1 });
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.length, 32);
  await assert.rejects(seal.submitUnsealKey(Buffer.alloc(33, 1)), invalid(/expected 32 bytes/));
  const s = await seal.submitUnsealKey(keys[0]!);
  assert.equal(s.sealed, false);
  assert.equal(barrier.sealed, false);
  seal.seal();
  const wrong = Buffer.from(keys[0]!);
  wrong[0]! ^= 1;
  await assert.rejects(seal.submitUnsealKey(wrong), invalid(/unseal failed/));
});

test('seal: a restart on the same storage unseals with the keys and reads the data', async () => {
  const physical = createInmemBackend();
  const first = setup(physical);
  const { keys } = await first.seal.init({ secretShares: 5, secretThreshold: 3 });
  for (const k of keys.slice(0, 3)) await first.seal.submitUnsealKey(k);
  await first.barrier.put('kv/data', Buffer.from('persisted'));
  first.seal.seal();

  const second = setup(physical);
  await second.seal.ready();
  assert.deepEqual(second.seal.unsealStatus(), {
    type: 'shamir', recoverySeal: false, initialized: true, sealed: true, t: 3, n: 5, progress: 0, nonce: '',
  });
  for (const k of keys.slice(2)) await second.seal.submitUnsealKey(k);
  assert.equal(second.barrier.sealed, false);
  assert.deepEqual(await second.barrier.get('kv/data'), Buffer.from('persisted'));
});

test('seal: unseal before init is refused', async () => {
  const { seal } = setup();
  await assert.rejects(seal.submitUnsealKey(Buffer.alloc(33, 1)), invalid(/not initialized/));
});

test('seal: onUnsealed runs inside the unseal; if it fails the barrier is sealed again', async () => {
  const physical = createInmemBackend();
  const barrier = new Barrier(physical);
  let calls = 0;
  let fail = true;
  const seal = new Seal({
    physical,
    barrier,
    onUnsealed: async () => {
      calls++;
      assert.equal(barrier.sealed, false, 'the barrier is open when the hook runs');
      if (fail) throw new Error('mount table unreadable');
    },
  });
  const { keys } = await seal.init({ secretShares: 3, secretThreshold: 2 });
  await seal.submitUnsealKey(keys[0]!);
  await assert.rejects(seal.submitUnsealKey(keys[1]!), /mount table unreadable/);
  assert.equal(barrier.sealed, true);
  assert.equal(seal.unsealStatus().progress, 0);
  fail = false;
  await seal.submitUnsealKey(keys[0]!);
  assert.equal((await seal.submitUnsealKey(keys[1]!)).sealed, false);
  assert.equal(calls, 2);
});
