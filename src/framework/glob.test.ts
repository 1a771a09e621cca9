import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globMatch } from './glob.js';

describe('globMatch', () => {
  it('matches literally without a star, and "*" as any run of characters', () => {
    assert.ok(globMatch('web', 'web'));
    assert.ok(!globMatch('web', 'web2'));
    assert.ok(globMatch('*', ''));
    assert.ok(globMatch('app-*', 'app-web'));
    assert.ok(globMatch('*-admins', 'db-admins'));
    assert.ok(globMatch('org/*-service', 'org/pay-service'));
    assert.ok(globMatch('a*b*c', 'aXbYc'));
    assert.ok(!globMatch('a*b*c', 'aXcYb'));
    assert.ok(!globMatch('ab*ba', 'aba'), 'prefix and suffix may not overlap');
    assert.ok(!globMatch('app-*', 'xapp-web'));
    assert.ok(globMatch('a.b*', 'a.bc'), 'regex characters are literal');
    assert.ok(!globMatch('a.b*', 'axbc'));
  });
});
