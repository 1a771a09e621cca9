/**
 * The seal's auto-unseal logic with a key provider held in this process (AES-256-GCM under a
 * key the seal never sees), which can be switched off like an unreachable transit server. The
 * real provider, another Coffer's transit engine, is exercised in test/auto-unseal.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CofferError } from '../errors.js';
import { createInmemBackend } from '../physical/inmem/inmem-backend.js';
import type { PhysicalBackend } from '../physical/types.js';
import { Barrier } from '../barrier/barrier.js';
import type { KeyProvider } from './auto-unseal.js';
import { Seal } from './seal.js';

function localProvider() {
  const key = randomBytes(32);
  const state = { up: true, calls: 0 };
  const provider: KeyProvider = {
    type: 'transit',
    describe: () => 'local test key',
    async encrypt(plaintext) {
      state.calls++;
      if (!state.up) throw new Error('connect ECONNREFUSED');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]);
      return `vault:v1:${body.toString('base64')}`;
    },
    async decrypt(ciphertext) {
      state.calls++;
      if (!state.up) throw new Error('connect ECONNREFUSED');
      const raw = Buffer.from(ciphertext.slice('vault:v1:'.length), 'base64');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
    },
  };
  return { provider, state };
}

const kind = (k: string, pattern: RegExp) => (e: unknown) => e instanceof CofferError && e.kind === k && pattern.test(e.message);

function boot(physical: PhysicalBackend, provider?: KeyProvider) {
  const barrier = new Barrier(physical);
  return { barrier, seal: new Seal({ physical, barrier, provider, createRootToken: async () => 'hvs.' + 'r'.repeat(24) }) };
}

test('auto-unseal: init hands out recovery shares, no unseal keys, and a restart unseals itself', async () => {
  const physical = createInmemBackend();
  const { provider } = localProvider();
  const first = boot(physical, provider);
  const { keys, recoveryKeys } = await first.seal.init({ secretShares: 1, secretThreshold: 1, recoveryShares: 5, recoveryThreshold: 3 });
  assert.equal(keys.length, 0);
  assert.equal(recoveryKeys.length, 5);
  await first.seal.autoUnseal();
  await first.barrier.put('kv/a', Buffer.from('kept'));
  const status = first.seal.unsealStatus();
  assert.deepEqual([status.type, status.recoverySeal, status.t, status.n, status.sealed], ['transit', true, 3, 5, false]);

  const restarted = boot(physical, provider);
  await restarted.seal.ready();
  assert.equal(restarted.barrier.sealed, true);
  await restarted.seal.autoUnseal();
  assert.equal((await restarted.barrier.get('kv/a'))?.toString(), 'kept');
});

test('auto-unseal: with the provider down the server stays sealed, recovery shares included', async () => {
  const physical = createInmemBackend();
  const { provider, state } = localProvider();
  const { recoveryKeys } = await boot(physical, provider).seal.init({ secretShares: 1, secretThreshold: 1, recoveryShares: 3, recoveryThreshold: 2 });
  state.up = false;
  const again = boot(physical, provider);
  await assert.rejects(again.seal.autoUnseal(), kind('BadGateway', /transit seal \(local test key\) could not decrypt the unseal key: connect ECONNREFUSED/));
  assert.equal(again.barrier.sealed, true);
  await again.seal.submitUnsealKey(recoveryKeys[0]!);
  await assert.rejects(again.seal.submitUnsealKey(recoveryKeys[1]!), kind('BadGateway', /could not decrypt/));
  assert.equal(again.barrier.sealed, true);
  // Back up: recovery shares authorize the unseal, the provider supplies the key.
  state.up = true;
  await again.seal.submitUnsealKey(recoveryKeys[1]!);
  await again.seal.submitUnsealKey(recoveryKeys[2]!);
  assert.equal(again.barrier.sealed, false);
});

test('auto-unseal: wrong recovery shares do not unseal; a Shamir-configured server cannot open a transit-sealed store', async () => {
  const physical = createInmemBackend();
  const { provider } = localProvider();
  await boot(physical, provider).seal.init({ secretShares: 1, secretThreshold: 1, recoveryShares: 3, recoveryThreshold: 2 });
  const other = localProvider();
  const { recoveryKeys: foreign } = await boot(createInmemBackend(), other.provider).seal.init({ secretShares: 1, secretThreshold: 1, recoveryShares: 3, recoveryThreshold: 2 });
  const again = boot(physical, provider);
  await again.seal.submitUnsealKey(foreign[0]!);
  await assert.rejects(again.seal.submitUnsealKey(foreign[1]!), kind('InvalidRequest', /did not reconstruct/));
  assert.equal(again.barrier.sealed, true);
  const shamir = boot(physical);
  await assert.rejects(shamir.seal.submitUnsealKey(foreign[0]!).then(() => shamir.seal.submitUnsealKey(foreign[1]!)), kind('InvalidRequest', /initialized with a transit seal/));
});

test('auto-unseal: recovery shares authorize generate-root and a rekey of the recovery key', async () => {
  const physical = createInmemBackend();
  const { provider } = localProvider();
  const { seal } = boot(physical, provider);
  const { recoveryKeys } = await seal.init({ secretShares: 1, secretThreshold: 1, recoveryShares: 3, recoveryThreshold: 2 });
  await seal.autoUnseal();

  const attempt = await seal.generateRootInit();
  await seal.generateRootUpdate(recoveryKeys[0]!, attempt.nonce);
  const done = await seal.generateRootUpdate(recoveryKeys[1]!, attempt.nonce);
  assert.equal(done.complete, true);

  const rekey = await seal.rekey.init({ secretShares: 4, secretThreshold: 3 });
  await seal.rekey.update(recoveryKeys[0]!, rekey.nonce);
  const result = await seal.rekey.update(recoveryKeys[2]!, rekey.nonce);
  assert.equal(result.complete, true);
  const fresh = result.complete ? result.keys : [];
  assert.equal(fresh.length, 4);
  assert.deepEqual([seal.unsealStatus().t, seal.unsealStatus().n], [3, 4]);

  // The old shares no longer authorize anything; the new ones do.
  const g2 = await seal.generateRootInit();
  await seal.generateRootUpdate(recoveryKeys[0]!, g2.nonce);
  await seal.generateRootUpdate(recoveryKeys[1]!, g2.nonce);
  await assert.rejects(seal.generateRootUpdate(recoveryKeys[2]!, g2.nonce), kind('InvalidRequest', /did not reconstruct/));
  for (const k of fresh.slice(0, 3)) await seal.generateRootUpdate(k, g2.nonce);
  assert.equal(seal.generateRootStatus().started, false);
});
