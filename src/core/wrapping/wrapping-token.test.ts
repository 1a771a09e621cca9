import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCofferError } from '../../errors.js';
import { checkWrapTtl, isWrappingToken, wrapTtlFor } from './wrapping-token.js';

describe('wrapping TTL rules', () => {
  it('accepts 1 second up to the system max lease TTL', () => {
    checkWrapTtl(1, 3600);
    checkWrapTtl(3600, 3600);
  });

  it('refuses zero, fractions and anything past the max with a 400 that names the TTL', () => {
    for (const ttl of [0, -1, 0.5, 3601]) {
      assert.throws(
        () => checkWrapTtl(ttl, 3600),
        (err: unknown) => isCofferError(err) && err.status === 400 && /wrapping TTL/.test(err.message),
        String(ttl),
      );
    }
  });

  it('wraps with the shorter of the client’s and the handler’s TTL, or neither', () => {
    assert.equal(wrapTtlFor({}, {}), undefined);
    assert.equal(wrapTtlFor({ wrapTtl: 60 }, {}), 60);
    assert.equal(wrapTtlFor({}, { wrapTtl: 300 }), 300);
    assert.equal(wrapTtlFor({ wrapTtl: 600 }, { wrapTtl: 300 }), 300);
    assert.equal(wrapTtlFor({ wrapTtl: 30 }, { wrapTtl: 300 }), 30);
  });

  it('takes only a token whose sole policy is response-wrapping for a wrapping token', () => {
    assert.equal(isWrappingToken({ policies: ['response-wrapping'] }), true);
    assert.equal(isWrappingToken({ policies: ['default', 'response-wrapping'] }), false);
    assert.equal(isWrappingToken({ policies: ['root'] }), false);
    assert.equal(isWrappingToken({ policies: [] }), false);
  });
});
