/**
 * The one behaviour contract every physical backend must meet. Each backend's test file
 * calls runPhysicalConformance; a new backend is done when this suite passes unchanged.
 */
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PhysicalBackend, PhysicalOp } from './types.js';

/** The reference order: bytes of UTF-8, as SQLite's BINARY collation compares them. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

/** `make` returns a fresh, empty backend per test; `cleanup` runs once after the suite. */
export function runPhysicalConformance(
  name: string,
  make: () => Promise<PhysicalBackend>,
  cleanup?: () => Promise<void> | void,
): void {
  describe(`physical conformance: ${name}`, () => {
    let b: PhysicalBackend;
    beforeEach(async () => {
      b = await make();
    });
    afterEach(async () => {
      await b.close();
    });
    if (cleanup) after(cleanup);

    const putAll = (keys: string[]): Promise<void[]> => Promise.all(keys.map((k) => b.put(k, Buffer.from(k))));

    it('get of a missing key is null; delete of a missing key is fine', async () => {
      assert.equal(await b.get('nope'), null);
      await b.delete('nope');
      assert.equal(await b.get('nope'), null);
    });

    it('put, get, overwrite, delete', async () => {
      await b.put('k', Buffer.from('one'));
      assert.equal(str(await b.get('k')), 'one');
      await b.put('k', Buffer.from('two'));
      assert.equal(str(await b.get('k')), 'two');
      await b.delete('k');
      assert.equal(await b.get('k'), null);
      await b.put('empty', Buffer.alloc(0));
      assert.deepEqual(await b.get('empty'), Buffer.alloc(0));
    });

    it('lists one level, folders once with a trailing slash', async () => {
      await putAll(['a', 'b/c', 'b/d/e', 'bb']);
      assert.deepEqual(await b.list(''), ['a', 'b/', 'bb']);
      assert.deepEqual(await b.list('b/'), ['c', 'd/']);
      assert.deepEqual(await b.list('b/d/'), ['e']);
      await putAll(['x', 'x/y', 'x.z', 'x0']); // a key and a folder of the same name
      assert.deepEqual(await b.list(''), ['a', 'b/', 'bb', 'x', 'x.z', 'x/', 'x0']);
    });

    it('lists an empty or missing prefix as []', async () => {
      assert.deepEqual(await b.list(''), []);
      await putAll(['a/b', 'ab/c']);
      assert.deepEqual(await b.list('zz/'), []);
      assert.deepEqual(await b.list('a/b/'), []);
      assert.deepEqual(await b.listPage('zz/', '', 10), []);
      await b.delete('a/b');
      assert.deepEqual(await b.list(''), ['ab/']);
      assert.deepEqual(await b.list('a/'), []);
    });

    it('pages through 1,000+ keys and folders in order, no duplicates or gaps', async () => {
      const keys = ['p', 'p0', 'o/x', 'p.'];
      const want = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const n = `n${i}`;
        if (i % 4 === 0) keys.push(`p/${n}/x`, `p/${n}/y/z`), want.add(`${n}/`);
        if (i % 4 === 1) keys.push(`p/${n}`), want.add(n);
        if (i % 4 === 2) keys.push(`p/${n}`, `p/${n}/q`), want.add(n).add(`${n}/`);
        if (i % 4 === 3) keys.push(`p/${n}.`, `p/${n}-/a`), want.add(`${n}.`).add(`${n}-/`);
      }
      await putAll(keys);
      const expected = [...want].sort(byteOrder);
      assert.deepEqual(await b.list('p/'), expected);
      for (const limit of [1, 7, 100, 5000]) {
        const got: string[] = [];
        let from = '';
        for (;;) {
          const page = await b.listPage('p/', from, limit);
          assert.ok(page.length <= limit);
          if (page.length === 0) break;
          got.push(...page);
          from = page[page.length - 1]!;
        }
        assert.deepEqual(got, expected, `limit ${limit}`);
      }
      // `after` need not be an entry; a folder as `after` skips the whole folder.
      for (const from of ['', 'n0/', 'n0', 'n1/zz', 'n10', 'n2/', 'n999-', 'zzz', 'n']) {
        const want5 = expected.filter((e) => byteOrder(e, from) > 0).slice(0, 5);
        assert.deepEqual(await b.listPage('p/', from, 5), want5, `after ${from}`);
      }
      assert.deepEqual(await b.listPage('p/', '', 0), []);
    });

    it('applies a transaction in full', async () => {
      await b.put('t/old', Buffer.from('x'));
      await b.transaction([
        { kind: 'put', key: 't/a', value: Buffer.from('1') },
        { kind: 'put', key: 't/b', value: Buffer.from('2') },
        { kind: 'delete', key: 't/old' },
        { kind: 'put', key: 't/a', value: Buffer.from('3') }, // later op wins
      ]);
      assert.equal(str(await b.get('t/a')), '3');
      assert.equal(str(await b.get('t/b')), '2');
      assert.equal(await b.get('t/old'), null);
      await b.transaction([]);
    });

    it('a failing transaction applies nothing, and fails alone', async () => {
      await b.put('t/keep', Buffer.from('keep'));
      const bad: PhysicalOp[] = [
        { kind: 'put', key: 't/a', value: Buffer.from('1') },
        { kind: 'delete', key: 't/keep' },
        { kind: 'put', key: 't/b', value: 'not a buffer' as unknown as Buffer },
      ];
      const good = b.put('t/c', Buffer.from('c')); // same batch as the bad one
      await assert.rejects(b.transaction(bad), TypeError);
      await assert.rejects(b.transaction([{ kind: 'bogus' } as unknown as PhysicalOp]), TypeError);
      await good;
      assert.equal(await b.get('t/a'), null);
      assert.equal(str(await b.get('t/keep')), 'keep');
      assert.equal(str(await b.get('t/c')), 'c');
      await assert.rejects(b.put('t/d', 'str' as unknown as Buffer), TypeError);
      await assert.rejects(b.put('bad\uD800', Buffer.from('x')), TypeError); // lone surrogate
      assert.deepEqual(await b.list('t/'), ['c', 'keep']);
    });

    it('round-trips a 1 MiB value', async () => {
      const big = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
      await b.put('big', big);
      assert.ok(big.equals((await b.get('big'))!));
    });

    it('stores odd keys as given', async () => {
      const names = ['ü', '日本', '😀', ' space', '100%', '%2F', `a'b`, 'a"b', 'new\nline', 'tab\t', 'back\\slash', '.', '..'];
      await Promise.all(names.map((n) => b.put(`odd/${n}`, Buffer.from(n))));
      for (const n of names) assert.equal(str(await b.get(`odd/${n}`)), n);
      assert.deepEqual(await b.list('odd/'), [...names].sort(byteOrder));
      await putAll(['日本/東京', '😀/x']);
      assert.deepEqual(await b.list('日本/'), ['東京']);
      assert.deepEqual(await b.list(''), ['odd/', '日本/', '😀/']);
    });

    it('lists in UTF-8 byte order (astral characters after U+E000..U+FFFF)', async () => {
      const names = ['z', 'Z', '~', 'é', '\uE000', '\uFFFD', '\uFFFF', '😀', '\u{10FFFF}', 'a'];
      await putAll(names.map((n) => `o/${n}`).concat(['o/\uE000x/deep', 'o/😀x/deep']));
      const expected = names.concat(['\uE000x/', '😀x/']).sort(byteOrder);
      assert.deepEqual(expected.slice(-5), ['\uFFFD', '\uFFFF', '😀', '😀x/', '\u{10FFFF}']);
      assert.deepEqual(await b.list('o/'), expected);
      assert.deepEqual(await b.listPage('o/', '\uFFFF', 2), ['😀', '😀x/']);
    });

    it('500 concurrent puts are all readable afterwards', async () => {
      const keys = Array.from({ length: 500 }, (_, i) => `c/${i}`);
      await putAll(keys);
      const got = await Promise.all(keys.map((k) => b.get(k)));
      assert.deepEqual(got.map(str), keys);
      assert.equal((await b.list('c/')).length, 500);
    });

    it('interleaved writes to one key end in the last-issued state', async () => {
      await Promise.all([b.put('i', Buffer.from('1')), b.delete('i'), b.put('i', Buffer.from('2'))]);
      assert.equal(str(await b.get('i')), '2');
      await Promise.all([b.put('i', Buffer.from('3')), b.put('i', Buffer.from('4')), b.delete('i')]);
      assert.equal(await b.get('i'), null);
      assert.deepEqual(await b.list(''), []);
    });

    it('values are copies on put and on get', async () => {
      const v = Buffer.from('abc');
      const done = b.put('copy', v);
      v.fill(0); // before the write is even acknowledged
      await done;
      v.fill(1);
      const got = (await b.get('copy'))!;
      assert.equal(got.toString(), 'abc');
      got.fill(0);
      assert.equal(str(await b.get('copy')), 'abc');
      const tv = Buffer.from('def');
      const tx = b.transaction([{ kind: 'put', key: 'copy2', value: tv }]);
      tv.fill(0);
      await tx;
      assert.equal(str(await b.get('copy2')), 'def');
    });
  });
}
