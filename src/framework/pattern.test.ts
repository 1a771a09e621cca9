import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern } from './pattern.js';

describe('path patterns', () => {
  it('matches literal segments exactly', () => {
    const p = compilePattern('seal-status');
    assert.deepEqual(p.match('seal-status'), {});
    assert.equal(p.match('seal-status/'), null);
    assert.equal(p.match('seal'), null);
  });

  it('captures one segment per named parameter and never a slash', () => {
    const p = compilePattern('keys/:name/rotate');
    assert.deepEqual(p.match('keys/k1/rotate'), { name: 'k1' });
    assert.equal(p.match('keys/a/b/rotate'), null);
    assert.equal(p.match('keys//rotate'), null);
  });

  it('accepts an optional trailing slash only when asked', () => {
    const p = compilePattern('roles/?');
    assert.deepEqual(p.match('roles'), {});
    assert.deepEqual(p.match('roles/'), {});
    assert.equal(p.match('roles/x'), null);
  });

  it('captures the rest of a path, slashes included, possibly empty', () => {
    const p = compilePattern(':path*');
    assert.deepEqual(p.match(''), { path: '' });
    assert.deepEqual(p.match('a/b/c/'), { path: 'a/b/c/' });
    const q = compilePattern('mounts/:path*');
    assert.deepEqual(q.match('mounts'), { path: '' });
    assert.deepEqual(q.match('mounts/kv/v2'), { path: 'kv/v2' });
    assert.equal(q.match('mountsx'), null);
  });

  it('matches literal segments after a rest parameter from the end', () => {
    const p = compilePattern('mounts/:path*/tune');
    assert.deepEqual(p.match('mounts/secret/tune'), { path: 'secret' });
    assert.deepEqual(p.match('mounts/a/b/tune'), { path: 'a/b' });
    assert.equal(p.match('mounts/tune'), null);
    assert.equal(p.match('mounts/secret/tuned'), null);
  });

  it('renders the OpenAPI form', () => {
    assert.equal(compilePattern('keys/:name/rotate').openapi, 'keys/{name}/rotate');
    assert.equal(compilePattern('roles/?').openapi, 'roles/');
  });

  it('refuses patterns it cannot match without regex', () => {
    assert.throws(() => compilePattern('a/:x*/:y'));
    assert.throws(() => compilePattern('a/b?c'));
  });
});
