/** The client address a standby passes on is believed only with a valid, fresh signature. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveForwardingKey, FORWARDED_FOR, FORWARDED_SIG, signForwarded, verifyForwarded } from './forwarding.js';

const key = deriveForwardingKey(randomBytes(32));
const now = 1_800_000_000_000;
const signed = signForwarded(key, '10.1.2.3', 'POST', '/v1/kv/data/a', now);

describe('forwarded client addresses', () => {
  it('accepts what a node of the cluster signed', () => {
    assert.equal(verifyForwarded(key, signed, 'POST', '/v1/kv/data/a', now + 1000), '10.1.2.3');
  });

  it('refuses another address, request, key, a stale or missing signature', () => {
    assert.equal(verifyForwarded(key, { ...signed, [FORWARDED_FOR]: '10.9.9.9' }, 'POST', '/v1/kv/data/a', now), undefined);
    assert.equal(verifyForwarded(key, signed, 'DELETE', '/v1/kv/data/a', now), undefined);
    assert.equal(verifyForwarded(key, signed, 'POST', '/v1/kv/data/b', now), undefined);
    assert.equal(verifyForwarded(deriveForwardingKey(randomBytes(32)), signed, 'POST', '/v1/kv/data/a', now), undefined);
    assert.equal(verifyForwarded(key, signed, 'POST', '/v1/kv/data/a', now + 120_000), undefined);
    assert.equal(verifyForwarded(key, { [FORWARDED_FOR]: '10.1.2.3' }, 'POST', '/v1/kv/data/a', now), undefined);
    assert.equal(verifyForwarded(key, { ...signed, [FORWARDED_SIG]: 'garbage' }, 'POST', '/v1/kv/data/a', now), undefined);
    assert.equal(verifyForwarded(undefined, signed, 'POST', '/v1/kv/data/a', now), undefined);
  });
});
