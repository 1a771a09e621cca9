import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../../logical/request.js';
import { compileAcl } from './acl.js';
import { parsePolicy } from './policy-parser.js';

/** An ACL with one rule on `p` granting create/read/update/patch/list plus `extra` lines. */
const acl = (extra: string) =>
  compileAcl([parsePolicy('t', `path "p" {\n  capabilities = ["create", "read", "update", "patch", "list"]\n  ${extra}\n}`)]);
const ok = (a: ReturnType<typeof acl>, data: Record<string, unknown> | undefined, operation: Operation = 'update') =>
  a.check({ path: 'p', operation, data }).allowed;

describe('required_parameters', () => {
  const a = acl('required_parameters = ["name", "Owner"]');
  it('needs every one', () => {
    assert.ok(ok(a, { name: 'x', owner: 'y' }));
    assert.ok(!ok(a, { name: 'x' }));
    assert.ok(!ok(a, {}));
    assert.ok(!ok(a, undefined));
    assert.match(a.check({ path: 'p', operation: 'create', data: { name: 1 } }).reason ?? '', /missing required parameter "owner"/);
  });
  it('counts null as absent', () => {
    assert.ok(!ok(a, { name: 'x', owner: null }));
  });
  it('applies to read, create, update and patch only', () => {
    for (const op of ['read', 'create', 'patch'] as const) assert.ok(!ok(a, {}, op));
    assert.ok(ok(a, {}, 'list'));
  });
});

describe('denied_parameters', () => {
  it('denies a key at any value with an empty list', () => {
    const a = acl('denied_parameters = { "admin" = [] }');
    assert.ok(!ok(a, { admin: false }));
    assert.ok(!ok(a, { ADMIN: 'x' }));
    assert.ok(ok(a, { other: 1 }));
    assert.ok(ok(a, { admin: null }));
  });
  it('denies listed values, globs and list elements', () => {
    const a = acl('denied_parameters = { "role" = ["root", "admin-*", "*-prod", "*secret*", 7] }');
    for (const bad of ['root', 'admin-1', 'db-prod', 'top-secret-x', 7, '7', ['ok', 'root']]) assert.ok(!ok(a, { role: bad }), String(bad));
    for (const good of ['rooty', 'user', 'prod-db', 8, ['a', 'b'], []]) assert.ok(ok(a, { role: good }), String(good));
  });
  it('denies every parameter with "*", but not an empty request', () => {
    const a = acl('denied_parameters = { "*" = [] }');
    assert.ok(!ok(a, { a: 1 }));
    assert.ok(ok(a, {}));
  });
  it('is checked before allowed_parameters', () => {
    const a = acl('allowed_parameters = { "*" = [] }\n denied_parameters = { "x" = ["1"] }');
    assert.ok(!ok(a, { x: '1' }));
    assert.ok(ok(a, { x: '2', y: 3 }));
  });
});

describe('allowed_parameters', () => {
  it('refuses keys not listed', () => {
    const a = acl('allowed_parameters = { "ttl" = [] }');
    assert.ok(ok(a, { ttl: '1h' }));
    assert.ok(ok(a, { TTL: 5 }));
    assert.ok(!ok(a, { ttl: '1h', other: 1 }));
    assert.ok(ok(a, {}));
    assert.match(a.check({ path: 'p', operation: 'update', data: { zzz: 1 } }).reason ?? '', /"zzz" is not allowed/);
  });
  it('restricts values, with globs', () => {
    const a = acl('allowed_parameters = { "env" = ["dev", "test-*", "*-sandbox"], "n" = [1, 2] }');
    for (const good of [{ env: 'dev' }, { env: 'test-42' }, { env: 'my-sandbox' }, { n: 2 }, { n: '1' }]) assert.ok(ok(a, good), JSON.stringify(good));
    for (const bad of [{ env: 'prod' }, { env: 'dev2' }, { n: 3 }, { env: { x: 1 } }]) assert.ok(!ok(a, bad), JSON.stringify(bad));
  });
  it('checks list values element by element', () => {
    const a = acl('allowed_parameters = { "policies" = ["app-*", "default"] }');
    assert.ok(ok(a, { policies: ['app-a', 'default'] }));
    assert.ok(!ok(a, { policies: ['app-a', 'admin'] }));
    assert.ok(ok(a, { policies: [] }));
  });
  it('also accepts a list equal to a list written in the policy', () => {
    const a = acl('allowed_parameters = { "pair" = [["a", "b"]] }');
    assert.ok(ok(a, { pair: ['a', 'b'] }));
    assert.ok(!ok(a, { pair: ['a', 'c'] }));
  });
  it('allows any other key with "*", keeping the listed restrictions', () => {
    const a = acl('allowed_parameters = { "*" = [], "env" = ["dev"] }');
    assert.ok(ok(a, { anything: 1, env: 'dev' }));
    assert.ok(!ok(a, { env: 'prod' }));
  });
  it('merges across policies: an empty list absorbs value lists', () => {
    const rule = (params: string) => `path "p" {\n capabilities = ["update"]\n allowed_parameters = { ${params} }\n}`;
    const merged = compileAcl([parsePolicy('a', rule('"x" = ["1"]')), parsePolicy('b', rule('"x" = ["2"], "y" = []'))]);
    assert.ok(merged.check({ path: 'p', operation: 'update', data: { x: '2', y: 'z' } }).allowed);
    assert.ok(!merged.check({ path: 'p', operation: 'update', data: { x: '3' } }).allowed);
    const absorbed = compileAcl([parsePolicy('a', rule('"x" = ["1"]')), parsePolicy('b', rule('"x" = []'))]);
    assert.ok(absorbed.check({ path: 'p', operation: 'update', data: { x: 'anything' } }).allowed);
  });
});

describe('wrapping TTL bounds', () => {
  const check = (extra: string, wrapTtl?: number) =>
    acl(extra).check({ path: 'p', operation: 'read', wrapTtl }).allowed;
  it('requires wrapping within max_wrapping_ttl', () => {
    assert.ok(!check('max_wrapping_ttl = "1m"'));
    assert.ok(check('max_wrapping_ttl = "1m"', 60));
    assert.ok(!check('max_wrapping_ttl = "1m"', 61));
  });
  it('requires wrapping of at least min_wrapping_ttl', () => {
    assert.ok(!check('min_wrapping_ttl = 30'));
    assert.ok(!check('min_wrapping_ttl = 30', 10));
    assert.ok(check('min_wrapping_ttl = 30', 30));
  });
  it('keeps the widest bounds when merging', () => {
    const rule = (ttl: string) => `path "p" {\n capabilities = ["read"]\n ${ttl}\n}`;
    const a = compileAcl([parsePolicy('a', rule('max_wrapping_ttl = 60\nmin_wrapping_ttl = 20')), parsePolicy('b', rule('max_wrapping_ttl = 120\nmin_wrapping_ttl = 10'))]);
    assert.ok(a.check({ path: 'p', operation: 'read', wrapTtl: 100 }).allowed);
    assert.ok(a.check({ path: 'p', operation: 'read', wrapTtl: 15 }).allowed);
    assert.ok(!a.check({ path: 'p', operation: 'read', wrapTtl: 5 }).allowed);
  });
});
