import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CofferError } from '../errors.js';
import { createInmemBackend } from '../physical/inmem/inmem-backend.js';
import { Barrier } from '../barrier/barrier.js';
import { Seal } from './seal.js';
import { OTP_LENGTH, decodeTokenWithOtp, generateOtp } from './otp.js';

const invalid = (pattern: RegExp) => (e: unknown) => e instanceof CofferError && e.kind === 'InvalidRequest' && pattern.test(e.message);
const isSealed = (e: unknown) => e instanceof CofferError && e.kind === 'Sealed';

async function unsealed(secretShares = 5, secretThreshold = 3) {
  const physical = createInmemBackend();
  const barrier = new Barrier(physical);
  const token = 'hvs.' + generateOtp(24);
  const seal = new Seal({ physical, barrier, createRootToken: async () => token });
  const { keys } = await seal.init({ secretShares, secretThreshold });
  for (const k of keys.slice(0, secretThreshold)) await seal.submitUnsealKey(k);
  assert.equal(barrier.sealed, false);
  return { physical, barrier, seal, keys, token };
}

test('rekey: invalid parameters are refused; 2-of-3 replaces the old shares', async () => {
  const { seal, keys, barrier, physical } = await unsealed();
  await barrier.put('kv/a', Buffer.from('kept'));
  await assert.rejects(seal.rekey.init({ secretShares: 2, secretThreshold: 3 }), invalid(/cannot be larger/));
  assert.equal((seal.rekey.status()).started, false);
  assert.deepEqual(seal.rekey.status(), {
    nonce: '', started: false, t: 0, n: 0, progress: 0, required: 3,
    pgp_fingerprints: null, backup: false, verification_required: false,
  });

  const started = await seal.rekey.init({ secretShares: 3, secretThreshold: 2 });
  assert.equal(started.started, true);
  assert.equal(started.t, 2);
  assert.equal(started.n, 3);
  assert.equal(started.required, 3);
  await assert.rejects(seal.rekey.init({ secretShares: 3, secretThreshold: 2 }), invalid(/already in progress/));
  await assert.rejects(seal.rekey.update(keys[0]!, 'not-the-nonce'), invalid(/nonce/));

  let step = await seal.rekey.update(keys[0]!, started.nonce);
  assert.equal(step.complete, false);
  if (!step.complete) assert.equal(step.status.progress, 1);
  await assert.rejects(seal.rekey.update(keys[0]!, started.nonce), invalid(/already provided/));
  await seal.rekey.update(keys[3]!, started.nonce);
  step = await seal.rekey.update(keys[4]!, started.nonce);
  assert.equal(step.complete, true);
  if (!step.complete) return;
  assert.equal(step.nonce, started.nonce);
  assert.equal(step.keys.length, 3);
  assert.equal((seal.rekey.status()).started, false);
  assert.equal(seal.unsealStatus().t, 2);

  // Restart from storage: old shares no longer unseal, two of the new ones do.
  seal.seal();
  const barrier2 = new Barrier(physical);
  const seal2 = new Seal({ physical, barrier: barrier2 });
  await seal2.submitUnsealKey(keys[0]!); // still the right shape, so it is accepted until the threshold
  await assert.rejects(seal2.submitUnsealKey(keys[1]!), invalid(/unseal failed/));
  await seal2.submitUnsealKey(step.keys[2]!);
  assert.equal((await seal2.submitUnsealKey(step.keys[0]!)).sealed, false);
  assert.deepEqual(await barrier2.get('kv/a'), Buffer.from('kept'));
});

test('rekey: wrong shares reset progress but keep the operation; cancel ends it; sealed refuses', async () => {
  const { seal, keys } = await unsealed(3, 2);
  const other = await unsealed(3, 2);
  const { nonce } = await seal.rekey.init({ secretShares: 1, secretThreshold: 1 });
  await seal.rekey.update(keys[0]!, nonce);
  await assert.rejects(seal.rekey.update(other.keys[1]!, nonce), invalid(/rekey failed/));
  const status = seal.rekey.status();
  assert.equal(status.progress, 0);
  assert.equal(status.nonce, nonce);
  await seal.rekey.cancel();
  assert.equal((seal.rekey.status()).started, false);
  await assert.rejects(seal.rekey.init({ secretShares: 3, secretThreshold: 2, pgpKeys: ['x'] }), invalid(/pgp_keys/));
  seal.seal();
  await assert.rejects(seal.rekey.init({ secretShares: 3, secretThreshold: 2 }), isSealed);
  assert.throws(() => seal.rekey.status(), isSealed);
  assert.throws(() => seal.generateRootStatus(), isSealed);
});

test('rekey: to a single share gives a 32-byte key that unseals alone', async () => {
  const { seal, keys, physical } = await unsealed(3, 2);
  const { nonce } = await seal.rekey.init({ secretShares: 1, secretThreshold: 1 });
  await seal.rekey.update(keys[1]!, nonce);
  const done = await seal.rekey.update(keys[2]!, nonce);
  assert.ok(done.complete);
  if (!done.complete) return;
  assert.equal(done.keys[0]!.length, 32);
  seal.seal();
  const seal2 = new Seal({ physical, barrier: new Barrier(physical) });
  assert.equal((await seal2.submitUnsealKey(done.keys[0]!)).sealed, false);
});

test('generate-root: OTP round trip through decodeTokenWithOtp', async () => {
  const { seal, keys, token } = await unsealed();
  const init = await seal.generateRootInit();
  assert.equal(init.started, true);
  assert.equal(init.required, 3);
  assert.equal(init.otp.length, OTP_LENGTH);
  assert.match(init.otp, /^[A-Za-z0-9]{28}$/);
  assert.equal(init.otp_length, 28);
  assert.equal(init.complete, false);
  const status = seal.generateRootStatus();
  assert.equal(status.otp, '', 'the OTP is only shown once');
  assert.equal(status.nonce, init.nonce);
  await assert.rejects(seal.generateRootInit(), invalid(/already in progress/));
  await assert.rejects(seal.generateRootUpdate(keys[0]!, 'wrong'), invalid(/nonce/));

  assert.equal((await seal.generateRootUpdate(keys[0]!, init.nonce)).progress, 1);
  await assert.rejects(seal.generateRootUpdate(keys[0]!, init.nonce), invalid(/already provided/));
  await seal.generateRootUpdate(keys[1]!, init.nonce);
  const done = await seal.generateRootUpdate(keys[2]!, init.nonce);
  assert.equal(done.complete, true);
  assert.equal(done.encoded_token, done.encoded_root_token);
  assert.doesNotMatch(done.encoded_token, /=/);
  assert.equal(decodeTokenWithOtp(done.encoded_token, init.otp), token);
  assert.equal((seal.generateRootStatus()).started, false);
});

test('generate-root: supplied OTP, wrong shares, cancel, per-call callback', async () => {
  const { seal, keys } = await unsealed(3, 2);
  await assert.rejects(seal.generateRootInit({ otp: 'short' }), invalid(/28 characters/));
  await assert.rejects(seal.generateRootInit({ pgpKey: 'abc' }), invalid(/pgp_key/));
  const otp = generateOtp();
  const init = await seal.generateRootInit({ otp });
  assert.equal(init.otp, '', 'a supplied OTP is not echoed');
  const other = await unsealed(3, 2);
  await seal.generateRootUpdate(keys[0]!, init.nonce);
  await assert.rejects(seal.generateRootUpdate(other.keys[1]!, init.nonce), invalid(/root generation failed/));
  assert.equal((seal.generateRootStatus()).progress, 0);
  await seal.generateRootUpdate(keys[0]!, init.nonce);
  const minted = 'hvs.' + 'B'.repeat(24);
  const done = await seal.generateRootUpdate(keys[1]!, init.nonce, async () => minted);
  assert.equal(decodeTokenWithOtp(done.encoded_token, otp), minted);

  await seal.generateRootInit();
  seal.generateRootCancel();
  assert.equal((seal.generateRootStatus()).started, false);
  seal.seal();
  await assert.rejects(seal.generateRootInit(), isSealed);
});
