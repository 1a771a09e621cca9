import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalizePath } from './canonical-path.js';

test('dot segments are refused wherever they stand', () => {
  for (const path of ['.', '..', '../sys/mounts', './a', 'a/..', 'a/.', 'cubbyhole/../sys/mounts', 'a/./b', '/../a']) {
    assert.throws(() => canonicalizePath(path), /segments are not allowed/, path);
  }
});

test('names that merely contain dots are kept as they are', () => {
  for (const path of ['secret/data/.env', 'secret/data/a..b', '.well-known/x', 'a/...', 'transit/keys/v1.2']) {
    assert.equal(canonicalizePath(path), path);
  }
  assert.equal(canonicalizePath('/secret/data/x'), 'secret/data/x');
});

test('empty segments and control characters are refused', () => {
  assert.throws(() => canonicalizePath('a//b'), /empty segment/);
  assert.throws(() => canonicalizePath('a/b\u0001'), /control characters/);
});
