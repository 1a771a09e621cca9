import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSpecialPaths } from './backend.js';

describe('compileSpecialPaths', () => {
  const m = compileSpecialPaths(['login', 'cert/*', 'issuer/+/pem']);
  it('matches exact entries and prefixes', () => {
    assert.equal(m('login'), true);
    assert.equal(m('login/x'), false);
    assert.equal(m('cert/ca'), true);
  });
  it('lets + stand for exactly one non-empty segment', () => {
    assert.equal(m('issuer/abc/pem'), true);
    assert.equal(m('issuer//pem'), false);
    assert.equal(m('issuer/abc'), false);
    assert.equal(m('issuer/a/b/pem'), false);
    assert.equal(m('issuer/abc/der'), false);
  });
});
