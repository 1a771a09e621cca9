import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTimes, claimAt } from './claims.js';
import type { JwtRole } from './storage.js';

const role = (leeways: Partial<JwtRole> = {}) => ({ clockSkewLeeway: 0, expirationLeeway: 0, notBeforeLeeway: 0, ...leeways }) as JwtRole;

describe('jwt claims', () => {
  it('reads top-level claims by name and nested ones by JSON pointer', () => {
    const claims = { a: { 'b/c': [1, { d: 'x' }] }, '/lit': 2 };
    assert.equal(claimAt(claims, '/a/b~1c/1/d'), 'x');
    assert.equal(claimAt(claims, '/a/missing/x'), undefined);
    assert.equal(claimAt(claims, '/lit', false), 2);
  });

  it('applies default leeways, and none at -1', () => {
    const now = 1_000_000;
    checkTimes({ exp: now - 200 }, role(), now * 1000); // 60 s skew + 150 s leeway
    assert.throws(() => checkTimes({ exp: now - 211 }, role(), now * 1000), /expired/);
    assert.throws(() => checkTimes({ exp: now - 1 }, role({ clockSkewLeeway: -1, expirationLeeway: -1 }), now * 1000), /expired/);
    assert.throws(() => checkTimes({ exp: now + 10, nbf: now + 1 }, role({ clockSkewLeeway: -1, notBeforeLeeway: -1 }), now * 1000), /not valid yet/);
    assert.throws(() => checkTimes({ exp: 'soon' }, role(), now * 1000), /not a number/);
  });
});
