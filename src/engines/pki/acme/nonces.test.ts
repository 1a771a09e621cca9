import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { consumeNonce, newNonce } from './nonces.js';

describe('ACME replay nonces', () => {
  it('accepts each nonce once, only on the mount that issued it', () => {
    const mount = randomUUID();
    const n = newNonce(mount);
    assert.equal(consumeNonce(randomUUID(), n), false);
    assert.equal(consumeNonce(mount, n), true);
    assert.equal(consumeNonce(mount, n), false);
  });

  it('refuses a nonce past its lifetime', () => {
    const mount = randomUUID();
    const n = newNonce(mount, 0);
    assert.equal(consumeNonce(mount, n, 11 * 60_000), false);
  });

  it('keeps at most a bounded number per mount, dropping the oldest', () => {
    const mount = randomUUID();
    const first = newNonce(mount, 1);
    for (let i = 0; i < 20_000; i++) newNonce(mount, 2);
    assert.equal(consumeNonce(mount, first, 3), false);
    assert.equal(consumeNonce(mount, newNonce(mount, 3), 3), true);
  });
});
