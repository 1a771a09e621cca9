import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpMethod, RawResponse } from '../src/api/client.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Body = Record<string, unknown> & { data?: Record<string, unknown> | null; errors?: string[]; warnings?: string[] | null };
type Meta = { created_time: string; custom_metadata: unknown; deletion_time: string; destroyed: boolean; version: number };

/** RFC 3339 in UTC with nanoseconds, as Vault prints times. */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const MERGE_PATCH = { 'Content-Type': 'application/merge-patch+json' };

describe('kv secrets engine over HTTP', () => {
  let t: TestServer;
  const call = (method: HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<RawResponse<Body>> =>
    t.root.raw<Body>(method, path, body, headers);
  const kv = (method: HttpMethod, path: string, body?: unknown) => call(method, `kv2/${path}`, body);
  const data = (res: RawResponse<Body>) => res.body!.data as Record<string, unknown>;
  const meta = async (path: string) => data(await kv('GET', `metadata/${path}`));
  const ok = (res: RawResponse<Body>, status = 200) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    return res;
  };
  const bad = (res: RawResponse<Body>, field: string | RegExp) => {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const message = res.body!.errors!.join('; ');
    if (typeof field === 'string') assert.ok(message.includes(`"${field}"`), `error names ${field}: ${message}`);
    else assert.match(message, field);
  };

  before(async () => {
    t = await startDevServer();
    ok(await call('POST', 'sys/mounts/kv2', { type: 'kv', options: { version: '2' } }), 204);
  });
  after(() => t.close());

  describe('mounting', () => {
    it('mounts version 2 with the kv-v2 shorthand', async () => {
      ok(await call('POST', 'sys/mounts/short', { type: 'kv-v2' }), 204);
      const mount = (await t.root.read('sys/mounts/short'))!.data!;
      assert.equal(mount.type, 'kv');
      assert.deepEqual(mount.options, { version: '2' });
      ok(await call('POST', 'short/data/x', { data: { a: 1 } }));
      assert.deepEqual(data(await call('GET', 'short/data/x')).data, { a: 1 });
    });

    it('keeps version-2 paths out of a version-1 mount: data/x is a plain key', async () => {
      ok(await call('POST', 'sys/mounts/v1', { type: 'kv', options: { version: '1' } }), 204);
      ok(await call('POST', 'v1/data/x', { data: 'not an object', version: 'seven' }), 204);
      assert.deepEqual(data(await call('GET', 'v1/data/x')), { data: 'not an object', version: 'seven' });
      ok(await call('POST', 'v1/config', { max_versions: -1 }), 204);
      assert.deepEqual(data(await call('GET', 'v1/config')), { max_versions: -1 });
      assert.deepEqual(data(await call('LIST', 'v1/')).keys, ['config', 'data/']);
      assert.equal((await call('PATCH', 'v1/data/x', { data: {} }, MERGE_PATCH)).status, 405);
      ok(await call('DELETE', 'v1/data/x'), 204);
      ok(await call('DELETE', 'v1/config'), 204);
      assert.equal((await call('GET', 'v1/data/x')).status, 404);
    });

    it('answers 404 for paths a version-2 mount does not have', async () => {
      assert.equal((await kv('GET', 'plain')).status, 404);
      assert.equal((await kv('POST', 'plain', { a: 1 })).status, 404);
      assert.equal((await call('LIST', 'kv2/')).status, 404);
    });
  });

  describe('versions', () => {
    it('writes versions 1 to 3 and reads each, with Vault’s metadata shape', async () => {
      for (let v = 1; v <= 3; v++) {
        const res = ok(await kv('POST', 'data/app/db', { data: { password: `p${v}`, n: v } }));
        const m = data(res) as Meta;
        assert.equal(m.version, v);
        assert.match(m.created_time, TIME);
        assert.equal(m.deletion_time, '');
        assert.equal(m.destroyed, false);
        assert.equal(m.custom_metadata, null);
      }
      for (let v = 1; v <= 3; v++) {
        const d = data(ok(await kv('GET', `data/app/db?version=${v}`)));
        assert.deepEqual(d.data, { password: `p${v}`, n: v });
        assert.equal((d.metadata as Meta).version, v);
      }
      const latest = data(ok(await kv('GET', 'data/app/db')));
      assert.equal((latest.metadata as Meta).version, 3);
      assert.deepEqual(data(ok(await kv('GET', 'data/app/db?version=0'))).data, latest.data);
      assert.equal((await kv('GET', 'data/app/db?version=9')).status, 404);
      assert.deepEqual((await kv('GET', 'data/nope')).body, { errors: [] });
    });

    it('enforces check-and-set', async () => {
      bad(await kv('POST', 'data/app/db', { data: { a: 1 }, options: { cas: 0 } }), /did not match the current version/);
      bad(await kv('POST', 'data/app/db', { data: { a: 1 }, options: { cas: 2 } }), /did not match the current version/);
      assert.equal(((await meta('app/db')).current_version), 3, 'nothing written');
      assert.equal((data(ok(await kv('POST', 'data/app/db', { data: { password: 'p4' }, options: { cas: 3 } }))) as Meta).version, 4);
      assert.equal((data(ok(await kv('POST', 'data/cas/new', { data: { a: 1 }, options: { cas: 0 } }))) as Meta).version, 1);
    });

    it('requires cas when the engine or the secret says so', async () => {
      ok(await kv('POST', 'config', { cas_required: true }), 204);
      bad(await kv('POST', 'data/cas/new', { data: { a: 2 } }), /check-and-set parameter required/);
      ok(await kv('POST', 'data/cas/new', { data: { a: 2 }, options: { cas: 1 } }));
      ok(await kv('POST', 'config', { cas_required: false }), 204);
      ok(await kv('POST', 'data/cas/new', { data: { a: 3 } }));

      ok(await kv('POST', 'metadata/cas/new', { cas_required: true }), 204);
      bad(await kv('POST', 'data/cas/new', { data: { a: 4 } }), /check-and-set parameter required/);
      bad(await kv('PATCH', 'data/cas/new', { data: { a: 4 } }), /check-and-set parameter required/);
      ok(await kv('POST', 'data/cas/new', { data: { a: 4 }, options: { cas: 3 } }));
      assert.equal((await meta('cas/new')).current_version, 4);
    });

    it('patches the latest version as a JSON merge patch, into a new version', async () => {
      ok(await kv('POST', 'data/patch/me', { data: { keep: 1, drop: 2, nested: { a: 1, b: { c: 1 } }, list: [1, 2] } }));
      const res = ok(await call('PATCH', 'kv2/data/patch/me', { data: { drop: null, nested: { b: { d: 2 }, e: 'x' }, list: [3], add: true } }, MERGE_PATCH));
      assert.equal((data(res) as Meta).version, 2);
      assert.deepEqual(data(await kv('GET', 'data/patch/me')).data, {
        keep: 1,
        nested: { a: 1, b: { c: 1, d: 2 }, e: 'x' },
        list: [3],
        add: true,
      });
      assert.deepEqual((data(await kv('GET', 'data/patch/me?version=1')).data as { list: unknown }).list, [1, 2], 'old version untouched');
      bad(await kv('PATCH', 'data/patch/me', { data: { a: 1 }, options: { cas: 1 } }), /did not match/);
      ok(await kv('PATCH', 'data/patch/me', { data: { a: 1 }, options: { cas: 2 } }));
      assert.equal((await kv('PATCH', 'data/patch/missing', { data: { a: 1 } })).status, 404);
      ok(await kv('DELETE', 'data/patch/me'), 204);
      const gone = await kv('PATCH', 'data/patch/me', { data: { a: 2 } });
      assert.equal(gone.status, 404);
      assert.equal((data(gone) as Meta).version, 3);
      assert.equal((await meta('patch/me')).current_version, 3, 'no version written');
    });

    it('soft-deletes the latest version: 404 with metadata and null data; undelete restores it', async () => {
      ok(await kv('POST', 'data/del/x', { data: { v: 1 } }));
      ok(await kv('POST', 'data/del/x', { data: { v: 2 } }));
      ok(await kv('DELETE', 'data/del/x'), 204);
      const res = await kv('GET', 'data/del/x');
      assert.equal(res.status, 404);
      assert.equal(res.body!.data!.data, null);
      const m = res.body!.data!.metadata as Meta;
      assert.equal(m.version, 2);
      assert.match(m.deletion_time, TIME);
      assert.equal(m.destroyed, false);
      assert.deepEqual(data(ok(await kv('GET', 'data/del/x?version=1'))).data, { v: 1 });
      ok(await kv('DELETE', 'data/del/x'), 204);

      ok(await kv('POST', 'undelete/del/x', { versions: [2] }), 204);
      assert.deepEqual(data(ok(await kv('GET', 'data/del/x'))).data, { v: 2 });
      assert.equal(((await meta('del/x')).versions as Record<string, Meta>)['2']!.deletion_time, '');
    });

    it('deletes and undeletes chosen versions, skipping unknown ones', async () => {
      ok(await kv('POST', 'delete/del/x', { versions: [1, 2, 77] }), 204);
      assert.equal((await kv('GET', 'data/del/x?version=1')).status, 404);
      assert.equal((await kv('GET', 'data/del/x?version=2')).status, 404);
      ok(await kv('PUT', 'undelete/del/x', { versions: '1,2' }), 204);
      ok(await kv('GET', 'data/del/x?version=1'));
      ok(await kv('GET', 'data/del/x?version=2'));
    });

    it('destroys versions for good: read answers 404 with destroyed true, undelete cannot help', async () => {
      ok(await kv('PUT', 'destroy/del/x', { versions: [1] }), 204);
      const res = await kv('GET', 'data/del/x?version=1');
      assert.equal(res.status, 404);
      assert.equal(res.body!.data!.data, null);
      assert.equal((res.body!.data!.metadata as Meta).destroyed, true);
      ok(await kv('POST', 'undelete/del/x', { versions: [1] }), 204);
      assert.equal((await kv('GET', 'data/del/x?version=1')).status, 404);
      const versions = (await meta('del/x')).versions as Record<string, Meta>;
      assert.equal(versions['1']!.destroyed, true);
      assert.equal(versions['2']!.destroyed, false);
    });

    it('prunes versions beyond max_versions, oldest first', async () => {
      ok(await kv('POST', 'metadata/prune/me', { max_versions: 3 }), 204);
      for (let v = 1; v <= 5; v++) ok(await kv('POST', 'data/prune/me', { data: { v } }));
      const m = await meta('prune/me');
      assert.equal(m.current_version, 5);
      assert.equal(m.oldest_version, 3);
      assert.equal(m.max_versions, 3);
      assert.deepEqual(Object.keys(m.versions as object), ['3', '4', '5']);
      assert.deepEqual((await kv('GET', 'data/prune/me?version=1')).body, { errors: [] });
      assert.deepEqual(data(ok(await kv('GET', 'data/prune/me?version=3'))).data, { v: 3 });
    });

    it('applies the engine’s max_versions when the secret sets none', async () => {
      ok(await kv('POST', 'config', { max_versions: 2 }), 204);
      try {
        for (let v = 1; v <= 4; v++) ok(await kv('POST', 'data/prune/engine', { data: { v } }));
        const m = await meta('prune/engine');
        assert.equal(m.max_versions, 0);
        assert.deepEqual(Object.keys(m.versions as object), ['3', '4']);
      } finally {
        ok(await kv('POST', 'config', { max_versions: 0 }), 204);
      }
    });

    it('honours delete_version_after: the version reads as deleted once it has passed', async () => {
      ok(await kv('POST', 'metadata/ttl/x', { delete_version_after: '1s' }), 204);
      assert.equal((await meta('ttl/x')).delete_version_after, '1s');
      const written = data(ok(await kv('POST', 'data/ttl/x', { data: { a: 1 } }))) as Meta;
      assert.equal(Date.parse(written.deletion_time) - Date.parse(written.created_time), 1000);
      ok(await kv('GET', 'data/ttl/x'));
      await new Promise((r) => setTimeout(r, 1100));
      const res = await kv('GET', 'data/ttl/x');
      assert.equal(res.status, 404);
      assert.equal((res.body!.data!.metadata as Meta).deletion_time, written.deletion_time);
    });

    it('serializes concurrent writers of one secret: every version number once', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => kv('POST', 'data/race', { data: { i } })));
      const versions = results.map((r) => (data(ok(r)) as Meta).version).sort((a, b) => a - b);
      assert.deepEqual(versions, Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal((await meta('race')).current_version, 20);
    });
  });

  describe('config', () => {
    it('reads defaults and writes settings, with Go duration strings', async () => {
      assert.deepEqual(data(ok(await kv('GET', 'config'))), { cas_required: false, delete_version_after: '0s', max_versions: 0 });
      ok(await kv('POST', 'config', { delete_version_after: '3h25m19s' }), 204);
      assert.equal(data(await kv('GET', 'config')).delete_version_after, '3h25m19s');
      ok(await kv('POST', 'config', { delete_version_after: 90 }), 204);
      assert.equal(data(await kv('GET', 'config')).delete_version_after, '1m30s');
      ok(await kv('POST', 'config', { delete_version_after: '0s' }), 204);
      bad(await kv('POST', 'config', { max_versions: -1 }), 'max_versions');
      bad(await kv('POST', 'config', { cas_required: 'maybe' }), 'cas_required');
      assert.deepEqual(data(await kv('GET', 'config')), { cas_required: false, delete_version_after: '0s', max_versions: 0 });
    });
  });

  describe('metadata', () => {
    it('reads the whole entry', async () => {
      const m = await meta('app/db');
      assert.deepEqual(Object.keys(m).sort(), [
        'cas_required', 'created_time', 'current_version', 'custom_metadata', 'delete_version_after',
        'max_versions', 'oldest_version', 'updated_time', 'versions',
      ]);
      assert.equal(m.current_version, 4);
      assert.equal(m.oldest_version, 0);
      assert.equal(m.delete_version_after, '0s');
      assert.match(m.created_time as string, TIME);
      assert.match(m.updated_time as string, TIME);
      assert.deepEqual(Object.keys(m.versions as object), ['1', '2', '3', '4']);
      assert.equal((await kv('GET', 'metadata/nope')).status, 404);
    });

    it('creates metadata without data, and shows custom_metadata with every version', async () => {
      ok(await kv('POST', 'metadata/meta/first', { custom_metadata: { owner: 'ops', tier: 1 }, max_versions: 5 }), 204);
      const m = await meta('meta/first');
      assert.equal(m.current_version, 0);
      assert.deepEqual(m.custom_metadata, { owner: 'ops', tier: '1' });
      assert.deepEqual(m.versions, {});
      assert.equal((await kv('GET', 'data/meta/first')).status, 404);
      const written = data(ok(await kv('POST', 'data/meta/first', { data: { a: 1 }, options: { cas: 0 } }))) as Meta;
      assert.deepEqual(written.custom_metadata, { owner: 'ops', tier: '1' });
    });

    it('patches only the fields given; a null removes a custom_metadata key', async () => {
      ok(await call('PATCH', 'kv2/metadata/meta/first', { custom_metadata: { tier: null, team: 'blue' }, cas_required: true }, MERGE_PATCH), 204);
      const m = await meta('meta/first');
      assert.deepEqual(m.custom_metadata, { owner: 'ops', team: 'blue' });
      assert.equal(m.cas_required, true);
      assert.equal(m.max_versions, 5);
      assert.equal((await kv('PATCH', 'metadata/meta/none', { max_versions: 1 })).status, 404);
      assert.equal((await kv('GET', 'metadata/meta/none')).status, 404);
    });

    it('a patch with "custom_metadata": null removes every custom key, as a JSON merge patch does', async () => {
      ok(await kv('POST', 'metadata/clear/one', { custom_metadata: { a: '1', b: '2' }, max_versions: 3 }), 204);
      ok(await call('PATCH', 'kv2/metadata/clear/one', { custom_metadata: null }, MERGE_PATCH), 204);
      const m = await meta('clear/one');
      assert.equal(m.custom_metadata, null);
      assert.equal(m.max_versions, 3, 'the other settings stay');
      ok(await kv('POST', 'metadata/clear/one', { custom_metadata: { a: '1' } }), 204);
      ok(await kv('POST', 'metadata/clear/one', { custom_metadata: null, max_versions: 4 }), 204);
      assert.deepEqual((await meta('clear/one')).custom_metadata, { a: '1' }, 'outside a patch, a null is "unset"');
    });

    it('refuses custom_metadata beyond Vault’s limits and writes nothing', async () => {
      const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
      bad(await kv('POST', 'metadata/meta/first', { custom_metadata: many }), 'custom_metadata');
      bad(await kv('POST', 'metadata/meta/first', { custom_metadata: { ['k'.repeat(129)]: 'v' } }), 'custom_metadata');
      bad(await kv('POST', 'metadata/meta/first', { custom_metadata: { k: 'v'.repeat(513) } }), 'custom_metadata');
      bad(await kv('POST', 'metadata/meta/first', { custom_metadata: { k: { nested: 1 } } }), 'custom_metadata');
      bad(await kv('POST', 'metadata/meta/first', { custom_metadata: 'owner=ops' }), 'custom_metadata');
      bad(await kv('PATCH', 'metadata/meta/first', { custom_metadata: many }), 'custom_metadata');
      bad(await kv('POST', 'metadata/meta/fresh', { custom_metadata: many, max_versions: 2 }), 'custom_metadata');
      assert.deepEqual((await meta('meta/first')).custom_metadata, { owner: 'ops', team: 'blue' });
      assert.equal((await kv('GET', 'metadata/meta/fresh')).status, 404);
      const exactly64 = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
      ok(await kv('POST', 'metadata/meta/fresh', { custom_metadata: exactly64 }), 204);
    });

    it('deletes a secret with all its versions and metadata', async () => {
      ok(await kv('DELETE', 'metadata/meta/first'), 204);
      assert.equal((await kv('GET', 'metadata/meta/first')).status, 404);
      assert.equal((await kv('GET', 'data/meta/first?version=1')).status, 404);
      assert.deepEqual(data(ok(await kv('LIST', 'metadata/meta'))).keys, ['fresh']);
      ok(await kv('DELETE', 'metadata/meta/first'), 204);
    });
  });

  describe('listing', () => {
    before(async () => {
      for (const p of ['tree/a', 'tree/a/b', 'tree/a/c/d', 'tree/b']) ok(await kv('POST', `data/${p}`, { data: { p } }));
    });

    it('lists one level, folders ending in "/"', async () => {
      assert.deepEqual(data(ok(await kv('LIST', 'metadata/tree/'))).keys, ['a', 'a/', 'b']);
      assert.deepEqual(data(ok(await call('GET', 'kv2/metadata/tree/a?list=true'))).keys, ['b', 'c/']);
      const root = data(ok(await call('GET', 'kv2/metadata?list=true'))).keys as string[];
      assert.ok(root.includes('tree/') && root.includes('app/'));
      assert.deepEqual((await kv('LIST', 'metadata/tree/zzz/')).body, { errors: [] });
      assert.equal((await kv('LIST', 'data/tree/')).status, 405);
    });

    it('lists a soft-deleted secret until its metadata is deleted', async () => {
      ok(await kv('DELETE', 'data/tree/b'), 204);
      assert.deepEqual(data(await kv('LIST', 'metadata/tree')).keys, ['a', 'a/', 'b']);
    });

    it('pages with after and limit', async () => {
      for (let i = 0; i < 25; i++) ok(await kv('POST', `data/page/k${String(i).padStart(2, '0')}`, { data: { i } }));
      const first = data(ok(await kv('LIST', 'metadata/page/?limit=10'))).keys as string[];
      assert.equal(first.length, 10);
      assert.equal(first[0], 'k00');
      const second = data(ok(await kv('LIST', `metadata/page/?limit=10&after=${first[9]}`))).keys as string[];
      assert.deepEqual(second, Array.from({ length: 10 }, (_, i) => `k${i + 10}`));
      const rest = data(ok(await kv('LIST', 'metadata/page/?after=k19'))).keys as string[];
      assert.deepEqual(rest, ['k20', 'k21', 'k22', 'k23', 'k24']);
      assert.equal((await kv('LIST', 'metadata/page/?after=k24')).status, 404);
      assert.equal((data(ok(await kv('LIST', 'metadata/page/?limit=0'))).keys as string[]).length, 25);
      bad(await kv('LIST', 'metadata/page/?limit=10001'), 'limit');
      bad(await kv('LIST', 'metadata/page/?limit=-1'), 'limit');
      bad(await kv('LIST', 'metadata/page/?limit=ten'), 'limit');
    });

    it('pages a version-1 LIST too', async () => {
      for (const k of ['a', 'b', 'c', 'd/e']) ok(await call('POST', `v1/paged/${k}`, { v: k }), 204);
      assert.deepEqual(data(ok(await call('LIST', 'v1/paged/?limit=2'))).keys, ['a', 'b']);
      assert.deepEqual(data(ok(await call('LIST', 'v1/paged?after=b&limit=2'))).keys, ['c', 'd/']);
      bad(await call('LIST', 'v1/paged/?limit=100000'), 'limit');
    });
  });

  describe('subkeys', () => {
    before(async () => {
      ok(await kv('POST', 'data/sub', { data: { a: 'x', b: { c: { d: 1 }, e: 2 }, empty: {}, list: [1, 2] } }));
    });

    it('replaces every value with null, to any depth', async () => {
      const d = data(ok(await kv('GET', 'subkeys/sub')));
      assert.deepEqual(d.subkeys, { a: null, b: { c: { d: null }, e: null }, empty: null, list: null });
      assert.equal((d.metadata as Meta).version, 1);
    });

    it('stops at depth', async () => {
      assert.deepEqual(data(ok(await kv('GET', 'subkeys/sub?depth=1'))).subkeys, { a: null, b: null, empty: null, list: null });
      assert.deepEqual(data(ok(await kv('GET', 'subkeys/sub?depth=2'))).subkeys, { a: null, b: { c: null, e: null }, empty: null, list: null });
      bad(await kv('GET', 'subkeys/sub?depth=-1'), 'depth');
    });

    it('answers 404 with metadata for a deleted version, and plain 404 for a missing one', async () => {
      ok(await kv('DELETE', 'data/sub'), 204);
      const res = await kv('GET', 'subkeys/sub?version=1');
      assert.equal(res.status, 404);
      assert.equal(res.body!.data!.subkeys, null);
      assert.equal((res.body!.data!.metadata as Meta).version, 1);
      assert.deepEqual((await kv('GET', 'subkeys/sub?version=2')).body, { errors: [] });
      assert.deepEqual((await kv('GET', 'subkeys/none')).body, { errors: [] });
    });
  });

  describe('bad input', () => {
    it('refuses data that is not an object, naming the field, and writes nothing', async () => {
      for (const body of [{ data: 'text' }, { data: [1, 2] }, { data: 5 }]) bad(await kv('POST', 'data/bad/x', body), 'data');
      bad(await kv('POST', 'data/bad/x', { password: 'v1-style' }), /no data provided/);
      bad(await kv('POST', 'data/bad/x', { data: { a: 1 }, options: { cas: 'one' } }), 'options.cas');
      bad(await kv('POST', 'data/bad/x', { data: { a: 1 }, options: 'cas=1' }), 'options');
      bad(await kv('PATCH', 'data/app/db', { data: 'text' }), 'data');
      assert.equal((await kv('GET', 'metadata/bad/x')).status, 404);
      assert.equal((await meta('app/db')).current_version, 4);
    });

    it('refuses versions that are not a list of integers', async () => {
      for (const versions of [['x'], 'a,b', [1.5], [-1], {}, []]) {
        for (const op of ['delete', 'undelete', 'destroy']) bad(await kv('POST', `${op}/app/db`, { versions }), /"versions/);
      }
      bad(await kv('POST', 'destroy/app/db', {}), 'versions');
      const versions = (await meta('app/db')).versions as Record<string, Meta>;
      assert.ok(Object.values(versions).every((v) => v.deletion_time === '' && !v.destroyed));
    });

    it('refuses bad settings on metadata, naming the field', async () => {
      bad(await kv('POST', 'metadata/bad/y', { max_versions: -3 }), 'max_versions');
      bad(await kv('POST', 'metadata/bad/y', { delete_version_after: 'soon' }), 'delete_version_after');
      bad(await kv('GET', 'data/app/db?version=-2'), 'version');
      assert.equal((await kv('GET', 'metadata/bad/y')).status, 404);
    });

    it('refuses writes to folders and empty paths', async () => {
      bad(await kv('POST', 'data/folder/', { data: { a: 1 } }), /folder/);
      bad(await kv('POST', 'data/', { data: { a: 1 } }), /missing secret path/);
      assert.equal((await kv('GET', 'data/folder/')).status, 404);
    });

    it('warns about fields the path does not know', async () => {
      const res = ok(await kv('POST', 'data/warn', { data: { a: 1 }, extra: true }));
      assert.deepEqual(res.body!.warnings, ['Endpoint ignored these unrecognized parameters: [extra]']);
    });
  });
});
