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

test("an OCSP GET request's base64 may hold '//'; nothing else may", () => {
  assert.equal(canonicalizePath('pki/ocsp/MEIwQDA+MDwwOjAJBgUrDgMCGgUABBQ//ab+c='), 'pki/ocsp/MEIwQDA+MDwwOjAJBgUrDgMCGgUABBQ//ab+c=');
  assert.equal(canonicalizePath('pki/issuer/root-a/ocsp/MEI//wQ=='), 'pki/issuer/root-a/ocsp/MEI//wQ==');
  for (const path of ['pki//ocsp/MEIw', 'pki/ocsp//MEIw', 'secret/data/a//ocsp/MEIw', 'pki/ocsp/ME//I.w', 'pki/ocsp/ME//I/../x', 'pki/notocsp/ME//Iw']) {
    assert.throws(() => canonicalizePath(path), /empty segment|segments are not allowed/, path);
  }
});
