import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOTP, URI } from 'otpauth';
import { newTotpSecret, parseTotpUrl, stepExpiry, totpCode, totpStep, totpUrl, UsedCodes, type TotpKey } from './totp.js';

const key = (over: Partial<TotpKey> = {}): TotpKey => ({ secret: newTotpSecret(20), issuer: 'Coffer', accountName: 'alice', algorithm: 'SHA1', digits: 6, period: 30, ...over });

describe('totp', () => {
  it('makes URLs an authenticator reads and codes it agrees with', () => {
    const k = key({ algorithm: 'SHA256', digits: 8 });
    const app = URI.parse(totpUrl(k)) as TOTP;
    assert.equal(app.issuer, 'Coffer');
    assert.equal(app.digits, 8);
    const now = Date.now();
    assert.equal(totpCode(k, now), app.generate({ timestamp: now }));
    assert.deepEqual(parseTotpUrl(totpUrl(k)), k);
  });

  it('accepts codes within the skew only, and nothing that is not all digits of the right length', () => {
    const k = key();
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    assert.equal(totpStep(k, totpCode(k, now), 1, now), step);
    assert.equal(totpStep(k, totpCode(k, now - 30_000), 1, now), step - 1);
    assert.equal(totpStep(k, totpCode(k, now - 30_000), 0, now), undefined);
    assert.equal(totpStep(k, totpCode(k, now - 60_000), 1, now), undefined);
    assert.equal(totpStep(k, ' ' + totpCode(k, now).slice(1), 1, now), undefined);
    assert.equal(totpStep(k, totpCode(k, now) + '0', 1, now), undefined);
  });

  it('takes each code once per owner', () => {
    const used = new UsedCodes();
    const exp = stepExpiry(10, 30, 1);
    assert.equal(used.use('a', 10, '123456', exp, 0), true);
    assert.equal(used.use('a', 10, '123456', exp, 0), false);
    assert.equal(used.use('b', 10, '123456', exp, 0), true);
    used.forget('a');
    assert.equal(used.use('a', 10, '123456', exp, 0), true);
  });
});
