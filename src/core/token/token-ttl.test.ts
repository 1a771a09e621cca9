import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FALLBACK_DEFAULT_TTL, resolveCreateTtl } from './token-ttl.js';

const base = { ttl: 0, explicitMaxTtl: 0, period: 0, rootPolicy: false, defaultTtl: 3600, maxTtl: 7200 };

describe('resolveCreateTtl', () => {
  it('applies the default, then the max TTL and explicit max', () => {
    assert.equal(resolveCreateTtl(base).ttl, 3600);
    assert.equal(resolveCreateTtl({ ...base, ttl: 10_000 }).ttl, 7200);
    assert.equal(resolveCreateTtl({ ...base, ttl: 10_000 }).warnings.length, 1);
    assert.equal(resolveCreateTtl({ ...base, explicitMaxTtl: 60 }).ttl, 60);
    assert.equal(resolveCreateTtl({ ...base, defaultTtl: 0, maxTtl: 0 }).ttl, FALLBACK_DEFAULT_TTL);
  });
  it('lets root-policy tokens have no TTL', () => {
    assert.equal(resolveCreateTtl({ ...base, rootPolicy: true }).ttl, 0);
    assert.equal(resolveCreateTtl({ ...base, rootPolicy: true, ttl: 60 }).ttl, 60);
  });
  it('periodic tokens take their period, capped only by explicit max', () => {
    assert.equal(resolveCreateTtl({ ...base, period: 9000 }).ttl, 9000);
    assert.equal(resolveCreateTtl({ ...base, period: 9000, explicitMaxTtl: 100 }).ttl, 100);
  });
  it('refuses negative or fractional seconds', () => {
    assert.throws(() => resolveCreateTtl({ ...base, ttl: -1 }));
    assert.throws(() => resolveCreateTtl({ ...base, period: 1.5 }));
  });
});
