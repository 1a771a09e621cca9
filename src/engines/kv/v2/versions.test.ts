import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goDuration, rfc3339 } from './format.js';
import { DEFAULT_CONFIG, type KvConfig } from './storage.js';
import { addVersion, checkCas, deleteAfterFor, destroy, maxVersionsFor, newKeyMeta, softDelete, stateOf, undelete } from './versions.js';

const config = (c: Partial<KvConfig> = {}): KvConfig => ({ ...DEFAULT_CONFIG, ...c });

function metaWith(versions: number, c: KvConfig = config(), maxVersions = 0) {
  const meta = newKeyMeta('k', 1000);
  meta.maxVersions = maxVersions;
  for (let i = 0; i < versions; i++) addVersion(meta, c, 1000 + i);
  return meta;
}

describe('kv-v2 version bookkeeping', () => {
  it('numbers versions from 1 and records created and updated times', () => {
    const meta = newKeyMeta('k', 500);
    assert.deepEqual(addVersion(meta, config(), 1000), { version: 1, pruned: [] });
    assert.deepEqual(addVersion(meta, config(), 2000), { version: 2, pruned: [] });
    assert.equal(meta.currentVersion, 2);
    assert.equal(meta.created, 500);
    assert.equal(meta.updated, 2000);
    assert.deepEqual(meta.versions['2'], { created: 2000, deleted: null, destroyed: false });
  });

  it('keeps the newest max_versions versions; oldest_version follows', () => {
    const meta = newKeyMeta('k', 0);
    meta.maxVersions = 3;
    const pruned = [1, 2, 3, 4, 5].map((i) => addVersion(meta, config(), i).pruned);
    assert.deepEqual(pruned, [[], [], [], [1], [2]]);
    assert.equal(meta.oldestVersion, 3);
    assert.deepEqual(Object.keys(meta.versions), ['3', '4', '5']);
  });

  it('prunes several versions at once when max_versions shrinks', () => {
    const meta = metaWith(6);
    meta.maxVersions = 2;
    assert.deepEqual(addVersion(meta, config(), 9).pruned, [1, 2, 3, 4, 5]);
    assert.deepEqual(Object.keys(meta.versions), ['6', '7']);
    assert.equal(meta.oldestVersion, 6);
  });

  it('falls back from the secret to the engine to 10 for max_versions', () => {
    const meta = newKeyMeta('k', 0);
    assert.equal(maxVersionsFor(meta, config()), 10);
    assert.equal(maxVersionsFor(meta, config({ maxVersions: 4 })), 4);
    meta.maxVersions = 7;
    assert.equal(maxVersionsFor(meta, config({ maxVersions: 4 })), 7);
    assert.equal(Object.keys(metaWith(12).versions).length, 10);
  });

  it('takes the shorter delete_version_after of secret and engine, and stamps new versions with it', () => {
    const meta = newKeyMeta('k', 0);
    assert.equal(deleteAfterFor(meta, config()), 0);
    assert.equal(deleteAfterFor(meta, config({ deleteVersionAfter: 60 })), 60);
    meta.deleteVersionAfter = 30;
    assert.equal(deleteAfterFor(meta, config({ deleteVersionAfter: 60 })), 30);
    assert.equal(deleteAfterFor(meta, config({ deleteVersionAfter: 10 })), 10);
    assert.equal(deleteAfterFor(meta, config()), 30);
    addVersion(meta, config(), 1000);
    const vm = meta.versions['1']!;
    assert.equal(vm.deleted, 31_000);
    assert.equal(stateOf(vm, 30_999), 'live');
    assert.equal(stateOf(vm, 31_000), 'deleted');
  });

  it('checks cas against the current version, 0 meaning none yet', () => {
    const meta = metaWith(2);
    assert.doesNotThrow(() => checkCas(null, config(), 0));
    assert.doesNotThrow(() => checkCas(meta, config(), 2));
    assert.doesNotThrow(() => checkCas(meta, config(), undefined));
    assert.throws(() => checkCas(meta, config(), 0), /did not match the current version/);
    assert.throws(() => checkCas(meta, config(), 3), /did not match the current version/);
    assert.throws(() => checkCas(meta, config({ casRequired: true }), undefined), /required/);
    assert.throws(() => checkCas(null, config({ casRequired: true }), undefined), /required/);
    meta.casRequired = true;
    assert.throws(() => checkCas(meta, config(), undefined), /required/);
  });

  it('soft-deletes live versions only, and undeletes what is not destroyed', () => {
    const meta = metaWith(3);
    assert.equal(softDelete(meta, [1, 2, 9], 5000), true);
    assert.equal(meta.versions['1']!.deleted, 5000);
    assert.equal(softDelete(meta, [1], 6000), false, 'already deleted');
    assert.equal(meta.versions['1']!.deleted, 5000);
    assert.deepEqual(destroy(meta, [2, 3, 9]), [2, 3]);
    assert.deepEqual(destroy(meta, [2]), [], 'already destroyed');
    assert.equal(softDelete(meta, [3], 7000), false, 'destroyed');
    assert.equal(undelete(meta, [1, 2, 3]), true);
    assert.equal(stateOf(meta.versions['1']!, 8000), 'live');
    assert.equal(stateOf(meta.versions['2']!, 8000), 'destroyed');
  });

  it('brings a scheduled deletion forward when deleted by hand', () => {
    const meta = newKeyMeta('k', 0);
    meta.deleteVersionAfter = 100;
    addVersion(meta, config(), 1000);
    assert.equal(softDelete(meta, [1], 2000), true);
    assert.equal(meta.versions['1']!.deleted, 2000);
  });
});

describe('kv-v2 formats', () => {
  it('prints times as RFC 3339 UTC with nanoseconds', () => {
    assert.equal(rfc3339(Date.UTC(2018, 2, 22, 2, 24, 6, 945)), '2018-03-22T02:24:06.945000000Z');
  });

  it('prints durations as Go does', () => {
    assert.deepEqual([0, 45, 60, 90, 3600, 12319, 768 * 3600].map(goDuration), ['0s', '45s', '1m0s', '1m30s', '1h0m0s', '3h25m19s', '768h0m0s']);
  });
});
