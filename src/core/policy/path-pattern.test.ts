import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCofferError } from '../../errors.js';
import { PathMatcher } from './path-matcher.js';
import { comparePriority, couldMatchUnder, parsePathPattern } from './path-pattern.js';

const refused = (pattern: string, fragment: RegExp) =>
  assert.throws(
    () => parsePathPattern(pattern),
    (e: unknown) => isCofferError(e) && e.kind === 'InvalidRequest' && fragment.test(e.message),
  );

const matches = (pattern: string, path: string): boolean =>
  new PathMatcher([{ pattern: parsePathPattern(pattern) }]).find(path, false) !== undefined;

describe('path patterns and matching', () => {
  it('classifies patterns', () => {
    assert.equal(parsePathPattern('secret/foo').kind, 'exact');
    assert.equal(parsePathPattern('secret/*').kind, 'prefix');
    assert.equal(parsePathPattern('secret/fo*').literalPrefix, 'secret/fo');
    const seg = parsePathPattern('secret/+/data/*');
    assert.equal(seg.kind, 'segments');
    assert.equal(seg.literalPrefix, 'secret/');
    assert.equal(seg.firstWildcard, 7);
    assert.equal(seg.plusCount, 1);
    assert.equal(seg.stem, 'secret/+/data/');
  });

  it('strips leading slashes', () => {
    assert.equal(parsePathPattern('/secret/*').pattern, 'secret/*');
  });

  it('refuses malformed patterns', () => {
    refused('', /must not be empty/);
    refused('secret/*/foo', /only allowed at the end/);
    refused('secret/**', /only allowed at the end/);
    refused('secret/a+b', /whole path segment/);
    refused('secret/+*', /whole path segment/);
    refused('secret/\u0001', /control characters/);
  });

  it('matches + as exactly one non-empty segment', () => {
    assert.ok(matches('secret/+/config', 'secret/app/config'));
    assert.ok(!matches('secret/+/config', 'secret/config'));
    assert.ok(!matches('secret/+/config', 'secret/a/b/config'));
    assert.ok(!matches('secret/+/config', 'secret//config'));
    assert.ok(matches('secret/+', 'secret/a'));
    assert.ok(!matches('secret/+', 'secret/'));
    assert.ok(!matches('secret/+', 'secret/a/b'));
    assert.ok(matches('+/+', 'a/b'));
    assert.ok(!matches('secret/+/data', 'secret/x/database'));
    assert.ok(matches('+', 'a'));
    assert.ok(matches('a/+/b/+', 'a/1/b/2'));
    assert.ok(!matches('a/+/b/+', 'a/1/b/2/3'));
  });

  it('matches a trailing * against any suffix, / and empty included', () => {
    assert.ok(matches('secret/*', 'secret/'));
    assert.ok(matches('secret/*', 'secret/a/b/c'));
    assert.ok(!matches('secret/*', 'secret'));
    assert.ok(matches('secret/+/ba*', 'secret/x/bar/baz'));
    assert.ok(matches('secret/+/*', 'secret/x/'));
    assert.ok(!matches('secret/+/*', 'secret/x'));
    assert.ok(matches('*', ''));
    assert.ok(matches('secret/fo*', 'secret/foo/bar'));
    assert.ok(matches('secret/foo', 'secret/foo'));
    assert.ok(!matches('secret/foo', 'secret/foo/'));
  });

  it('orders priority by Vault rules', () => {
    const cmp = (a: string, b: string) => Math.sign(comparePriority(parsePathPattern(a), parsePathPattern(b)));
    assert.equal(cmp('foo/bar/+/baz', 'foo/+/bar/baz'), 1); // later first wildcard wins
    assert.equal(cmp('foo/+', 'foo/*'), 1); // not ending in * wins
    assert.equal(cmp('foo/+/bar/baz', 'foo/+/+/baz'), 1); // fewer + wins
    assert.equal(cmp('foo/+/bar/ba*', 'foo/+/bar/b*'), 1); // longer wins
    assert.equal(cmp('+/a/+/*', '+/+/b/*'), 1); // lexicographically larger wins
    assert.equal(cmp('foo/*', 'foo/*'), 0);
  });

  it('tells whether a pattern can reach below a prefix', () => {
    const under = (pattern: string, prefix: string) => couldMatchUnder(parsePathPattern(pattern), prefix);
    assert.ok(under('secret/data/foo', 'secret/'));
    assert.ok(under('secret/*', 'secret/'));
    assert.ok(under('sec*', 'secret/'));
    assert.ok(under('+/data/*', 'secret/'));
    assert.ok(under('*', 'anything/'));
    assert.ok(!under('kv/*', 'secret/'));
    assert.ok(!under('secret', 'secret/'));
    assert.ok(!under('+/data', 'secret/x/'));
  });
});

describe('PathMatcher against a naive reference', () => {
  // Deterministic pseudo-random generator, so failures reproduce.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const SEGMENTS = ['a', 'b', 'ab', 'ba', '+'];
  const randomPattern = () => {
    const segs = Array.from({ length: 1 + rand(4) }, () => SEGMENTS[rand(SEGMENTS.length)]!);
    let p = segs.join('/');
    const tail = rand(4);
    if (tail === 1 && !p.endsWith('+')) p += '*';
    else if (tail === 2) p += '/*';
    else if (tail === 3 && !p.endsWith('+')) p = p.slice(0, -1) + '*';
    return p;
  };
  const randomPath = () => Array.from({ length: 1 + rand(5) }, () => ['a', 'b', 'ab', 'ba', 'abc'][rand(5)]).join('/') + (rand(4) === 0 ? '/' : '');
  const toRegex = (pattern: string) => {
    const stem = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
    const body = stem.split('/').map((s) => (s === '+' ? '[^/]+' : s)).join('/');
    return new RegExp(`^${body}${pattern.endsWith('*') ? '.*' : ''}$`, 's');
  };

  it('picks the same winner for thousands of random cases', () => {
    for (let round = 0; round < 300; round++) {
      const patterns = [...new Set(Array.from({ length: 1 + rand(12) }, randomPattern))].map((p) => parsePathPattern(p));
      const matcher = new PathMatcher(patterns.map((pattern) => ({ pattern })));
      for (let k = 0; k < 20; k++) {
        const path = randomPath();
        const hits = patterns.filter((p) => toRegex(p.pattern).test(path));
        const exact = hits.find((p) => p.kind === 'exact');
        const expected = exact ?? hits.sort((x, y) => comparePriority(y, x))[0];
        const got = matcher.find(path, false)?.pattern;
        assert.equal(got?.pattern, expected?.pattern, `path ${path} with ${patterns.map((p) => p.pattern).join(' ')}`);
      }
    }
  });
});
