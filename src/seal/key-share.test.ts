import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CofferError } from '../errors.js';
import { parseKeyShare } from './key-share.js';
import { decodeTokenWithOtp, encodeTokenWithOtp, generateOtp } from './otp.js';

const invalid = (e: unknown) => e instanceof CofferError && e.kind === 'InvalidRequest';

test('parseKeyShare: hex and base64 (padded or not) give the same bytes', () => {
  for (const len of [32, 33]) {
    const key = randomBytes(len);
    assert.deepEqual(parseKeyShare(key.toString('hex')), key);
    assert.deepEqual(parseKeyShare(key.toString('hex').toUpperCase()), key);
    assert.deepEqual(parseKeyShare(key.toString('base64')), key);
    assert.deepEqual(parseKeyShare(key.toString('base64').replace(/=+$/, '')), key);
    assert.deepEqual(parseKeyShare(` ${key.toString('base64')}\n`), key);
  }
});

test('parseKeyShare: anything else is refused without echoing the input', () => {
  const secretish = 'not*a*key$SECRET';
  for (const bad of ['', '   ', secretish, 'abd', 'QUJD=', 'QQ=', 'QR==', 'a-b_c']) {
    assert.throws(() => parseKeyShare(bad), (e: unknown) => invalid(e) && !(e as Error).message.includes(secretish));
  }
});

test('OTP encoding: XOR with the pad, unpadded base64, lengths must match', () => {
  const otp = generateOtp();
  assert.equal(otp.length, 28);
  assert.notEqual(generateOtp(), otp);
  const token = 'hvs.' + 'a1B2'.repeat(6);
  const encoded = encodeTokenWithOtp(token, otp);
  assert.doesNotMatch(encoded, /=/);
  assert.equal(Buffer.from(encoded, 'base64').length, 28);
  assert.equal(decodeTokenWithOtp(encoded, otp), token);
  assert.equal(decodeTokenWithOtp(encoded + '=', otp), token);
  assert.throws(() => encodeTokenWithOtp('short', otp), invalid);
  assert.throws(() => decodeTokenWithOtp(encoded, otp.slice(1)), invalid);
  assert.throws(() => decodeTokenWithOtp('!!', otp), invalid);
});
