import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../../logical/request.js';
import { compileAcl } from './acl.js';
import { defaultPolicyText } from './default-policy.js';
import { parsePolicy } from './policy-parser.js';
import type { Acl } from './types.js';

const acl = (...texts: string[]): Acl => compileAcl(texts.map((t, i) => parsePolicy(`p${i}`, t)));
const can = (a: Acl, operation: Operation, path: string, data?: Record<string, unknown>, wrapTtl?: number) =>
  a.check({ path, operation, data, wrapTtl }).allowed;
const rule = (pattern: string, ...caps: string[]) =>
  `path "${pattern}" { capabilities = [${caps.map((c) => `"${c}"`).join(', ')}] }\n`;

describe('ACL matching', () => {
  it('prefers an exact pattern over any wildcard', () => {
    const a = acl(rule('secret/foo', 'read') + rule('secret/foo*', 'deny') + rule('secret/+', 'deny'));
    assert.ok(can(a, 'read', 'secret/foo'));
    assert.ok(!can(a, 'read', 'secret/foobar'));
    assert.ok(!can(a, 'read', 'secret/bar'));
  });

  it('does not unite capabilities across different patterns', () => {
    const a = acl(rule('secret/*', 'read'), rule('secret/foo/*', 'list'));
    assert.ok(!can(a, 'read', 'secret/foo/bar'));
    assert.ok(can(a, 'list', 'secret/foo/'));
    assert.ok(can(a, 'read', 'secret/other'));
  });

  it('rule 1: the pattern whose first wildcard comes later wins', () => {
    const a = acl(rule('secret/+/baz', 'read') + rule('secret/foo/*', 'deny'));
    assert.ok(!can(a, 'read', 'secret/foo/baz'));
    assert.ok(can(a, 'read', 'secret/bar/baz'));
    const b = acl(rule('foo/+/bar/baz', 'deny') + rule('foo/bar/+/baz', 'read'));
    assert.ok(can(b, 'read', 'foo/bar/bar/baz'));
  });

  it('rule 2: a pattern ending in * loses to one that does not', () => {
    const a = acl(rule('secret/*', 'deny') + rule('secret/+', 'read'));
    assert.ok(can(a, 'read', 'secret/x'));
    assert.ok(!can(a, 'read', 'secret/x/y'));
    const b = acl(rule('foo/+/ba*', 'deny') + rule('foo/+/bar', 'read'));
    assert.ok(can(b, 'read', 'foo/x/bar'));
  });

  it('rule 3: more + segments lose', () => {
    const a = acl(rule('foo/+/+/baz', 'deny') + rule('foo/+/bar/baz', 'read'));
    assert.ok(can(a, 'read', 'foo/x/bar/baz'));
    assert.ok(!can(a, 'read', 'foo/x/qux/baz'));
  });

  it('rule 4: the shorter pattern loses', () => {
    const a = acl(rule('foo/+/bar/b*', 'deny') + rule('foo/+/bar/ba*', 'read'));
    assert.ok(can(a, 'read', 'foo/x/bar/baz'));
    assert.ok(!can(a, 'read', 'foo/x/bar/bz'));
    const globs = acl(rule('secret/*', 'deny') + rule('secret/app/*', 'read'));
    assert.ok(can(globs, 'read', 'secret/app/key'));
  });

  it('rule 5: the lexicographically smaller pattern loses', () => {
    const a = acl(rule('+/+/b/*', 'deny') + rule('+/a/+/*', 'read'));
    assert.ok(can(a, 'read', 'x/a/b/c'));
    const b = acl(rule('+/+/b/*', 'read') + rule('+/a/+/*', 'deny'));
    assert.ok(!can(b, 'read', 'x/a/b/c'));
  });

  it('lets a more specific allow beat a broader deny, and the reverse', () => {
    const a = acl(rule('secret/*', 'deny') + rule('secret/open', 'read') + rule('kv/*', 'read') + rule('kv/private/*', 'deny'));
    assert.ok(can(a, 'read', 'secret/open'));
    assert.ok(!can(a, 'read', 'secret/closed'));
    assert.ok(can(a, 'read', 'kv/public'));
    assert.ok(!can(a, 'read', 'kv/private/x'));
  });

  it('merges one pattern across policies, deny winning', () => {
    const a = acl(rule('secret/*', 'read'), rule('secret/*', 'update'));
    assert.ok(can(a, 'read', 'secret/x') && can(a, 'update', 'secret/x'));
    const d = acl(rule('secret/*', 'read', 'sudo'), rule('secret/*', 'deny'), rule('secret/*', 'list'));
    assert.ok(!can(d, 'read', 'secret/x'));
    assert.deepEqual(d.capabilities('secret/x'), ['deny']);
    assert.equal(d.check({ path: 'secret/x', operation: 'read' }).rootPrivs, false);
  });

  it('matches lists with and without the trailing slash in the pattern', () => {
    const a = acl(rule('secret/metadata/*', 'list') + rule('kv/metadata', 'list') + rule('app/+', 'list'));
    assert.ok(can(a, 'list', 'secret/metadata/'));
    assert.ok(can(a, 'list', 'kv/metadata/'));
    assert.ok(!can(a, 'read', 'kv/metadata/'));
    assert.ok(can(a, 'list', 'app/x/'));
    assert.ok(!can(a, 'list', 'app/'));
  });

  it('maps each operation to its capability', () => {
    const ops: Operation[] = ['read', 'list', 'create', 'update', 'patch', 'delete', 'scan'];
    for (const op of ops) {
      const a = acl(rule('x/*', op));
      for (const other of ops) assert.equal(can(a, other, 'x/y'), other === op, `${op} grants ${other}?`);
    }
  });

  it('allows help when the rule grants anything but deny', () => {
    assert.ok(can(acl(rule('x/*', 'list')), 'help', 'x/y'));
    assert.ok(!can(acl(rule('x/*', 'deny')), 'help', 'x/y'));
    assert.ok(!can(acl(rule('x/*', 'read')), 'help', 'z'));
    assert.ok(!can(acl('path "x/*" { capabilities = [] }'), 'help', 'x/y'));
  });

  it('reports sudo as rootPrivs', () => {
    const a = acl(rule('sys/mounts/*', 'read', 'sudo') + rule('sys/auth/*', 'read'));
    assert.equal(a.check({ path: 'sys/mounts/x', operation: 'read' }).rootPrivs, true);
    assert.equal(a.check({ path: 'sys/auth/x', operation: 'read' }).rootPrivs, false);
  });

  it('denies by default and says why', () => {
    const r = acl(rule('secret/*', 'read')).check({ path: 'kv/x', operation: 'read' });
    assert.equal(r.allowed, false);
    assert.deepEqual(r.capabilities, []);
    assert.match(r.reason ?? '', /no policy rule/);
    assert.ok(!can(compileAcl([]), 'read', 'anything'));
  });

  it('answers capabilities sorted, deny when nothing matches', () => {
    const a = acl(rule('secret/*', 'update', 'read', 'list', 'sudo') + 'path "empty" { capabilities = [] }');
    assert.deepEqual(a.capabilities('secret/x'), ['list', 'read', 'sudo', 'update']);
    assert.deepEqual(a.capabilities('kv/x'), ['deny']);
    assert.deepEqual(a.capabilities('empty'), ['deny']);
  });

  it('gives root everything', () => {
    const a = compileAcl([{ name: 'root', raw: '', rules: [] }, parsePolicy('p', rule('x', 'deny'))]);
    assert.equal(a.isRoot, true);
    const r = a.check({ path: 'x', operation: 'delete', data: { anything: 1 } });
    assert.equal(r.allowed, true);
    assert.equal(r.rootPrivs, true);
    assert.deepEqual(a.capabilities('sys/seal'), ['root']);
    assert.equal(a.hasAnyAccessUnder('secret/'), true);
    assert.equal(compileAcl([parsePolicy('ROOT ', rule('x', 'read'))]).isRoot, true);
  });

  it('reuses result objects for the common outcomes', () => {
    const a = acl(rule('secret/*', 'read'));
    const first = a.check({ path: 'secret/a', operation: 'read' });
    assert.equal(a.check({ path: 'secret/b', operation: 'read' }), first);
    assert.ok(Object.isFrozen(first));
  });

  it('tells whether anything is reachable below a mount', () => {
    const a = acl(rule('secret/data/app', 'read') + rule('apps/+/config', 'read') + rule('closed/*', 'deny') + rule('kv/*', 'list'));
    assert.ok(a.hasAnyAccessUnder('secret/'));
    assert.ok(a.hasAnyAccessUnder('kv/'));
    assert.ok(a.hasAnyAccessUnder('apps/'));
    assert.ok(!a.hasAnyAccessUnder('closed/'));
    assert.ok(!a.hasAnyAccessUnder('other/'));
    assert.ok(acl(rule('+/config/*', 'read')).hasAnyAccessUnder('other/'));
    assert.ok(!acl(rule('secret/data/app', 'read')).hasAnyAccessUnder('kv/'));
  });

  it('lets the default policy do what a token needs for itself, and nothing more', () => {
    const a = compileAcl([parsePolicy('default', defaultPolicyText)]);
    assert.ok(can(a, 'read', 'auth/token/lookup-self'));
    assert.ok(can(a, 'update', 'auth/token/renew-self'));
    assert.ok(can(a, 'update', 'sys/capabilities-self'));
    assert.ok(can(a, 'create', 'cubbyhole/notes'));
    assert.ok(can(a, 'list', 'cubbyhole/'));
    assert.ok(can(a, 'update', 'sys/wrapping/unwrap'));
    assert.ok(can(a, 'update', 'sys/tools/hash/sha2-256'));
    assert.ok(!can(a, 'read', 'secret/data/x'));
    assert.ok(!can(a, 'update', 'auth/token/create'));
    assert.ok(!can(a, 'read', 'sys/mounts'));
  });
});
