import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Storage } from '../../logical/storage.js';
import { encryptValue } from './encryption.js';
import { KeyStore } from './key-store.js';
import { createKey, rotateKey, trimKey, withSettings, type NewKeyOptions } from './transit-key.js';

/** A Map as storage, counting reads. */
function memoryStorage() {
  const map = new Map<string, Buffer>();
  let gets = 0;
  const storage: Storage = {
    async get(k) {
      gets++;
      return map.get(k) ?? null;
    },
    async put(k, v) {
      map.set(k, Buffer.from(v));
    },
    async delete(k) {
      map.delete(k);
    },
    async list(prefix) {
      return [...map.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
    },
    async listPage(prefix, after, limit) {
      return (await this.list(prefix)).filter((k) => k > after).slice(0, limit);
    },
  };
  return { storage, map, reads: () => gets };
}

const options = (name: string): NewKeyOptions => ({
  name, type: 'aes256-gcm96', derived: false, convergentEncryption: false, exportable: false, allowPlaintextBackup: false, autoRotatePeriod: 0, keySize: 0,
});
const plain = { plaintext: Buffer.from('x'), context: null, keyVersion: 0, associatedData: null };

describe('KeyStore: the parsed keys of one mount', () => {
  it('reads a key from storage once, then answers from memory', async () => {
    const { storage, reads } = memoryStorage();
    const store = new KeyStore();
    await store.update(storage, 'k', async () => ({ next: await createKey(options('k'), 1000), result: null }));
    const fresh = new KeyStore();
    assert.ok(await fresh.get(storage, 'k'));
    const before = reads();
    for (let i = 0; i < 10; i++) assert.ok(await fresh.get(storage, 'k'));
    assert.equal(reads(), before, 'no storage read for a cached key');
    assert.equal(await fresh.get(storage, 'missing'), null);
  });

  it('stores key material only in the entry it writes, and reads back the same key', async () => {
    const { storage, map } = memoryStorage();
    const store = new KeyStore();
    const key = await store.update(storage, 'k', async () => {
      const k = await createKey(options('k'), 1000);
      return { next: k, result: k };
    });
    assert.deepEqual([...map.keys()].filter((k) => k.startsWith('policy/')), ['policy/k']);
    const again = await new KeyStore().get(storage, 'k');
    assert.deepEqual(again!.versions.get(1)!.secret, key.versions.get(1)!.secret);
  });

  it('runs changes to one key one at a time, each seeing the last one’s result', async () => {
    const { storage } = memoryStorage();
    const store = new KeyStore();
    await store.update(storage, 'k', async () => ({ next: await createKey(options('k'), 1), result: null }));
    await Promise.all(Array.from({ length: 5 }, () => store.update(storage, 'k', async (cur) => ({ next: await rotateKey(cur!, 2), result: null }))));
    assert.equal((await store.get(storage, 'k'))!.settings.latestVersion, 6);
    assert.equal((await new KeyStore().get(storage, 'k'))!.settings.latestVersion, 6);
  });

  it('zeroes every cached key when closed, and a request holding one fails instead of using zeros', async () => {
    const { storage } = memoryStorage();
    const store = new KeyStore();
    const key = await store.update(storage, 'k', async () => {
      const k = await createKey(options('k'), 1);
      return { next: k, result: k };
    });
    const secret = key.versions.get(1)!.secret!;
    const hmacKey = key.versions.get(1)!.hmacKey;
    assert.ok(secret.some((b) => b !== 0));
    store.close();
    assert.ok(secret.every((b) => b === 0) && hmacKey.every((b) => b === 0));
    assert.throws(() => encryptValue(key, plain), /the key changed while the request ran/);
    await assert.rejects(Promise.resolve(store.get(storage, 'k')), /closing/);
  });

  it('zeroes trimmed versions and deleted keys', async () => {
    const { storage } = memoryStorage();
    const store = new KeyStore();
    let key = await store.update(storage, 'k', async () => {
      const k = await rotateKey(await createKey(options('k'), 1), 2);
      return { next: k, result: k };
    });
    const v1 = key.versions.get(1)!.secret!;
    key = await store.update(storage, 'k', (cur) => {
      const { key: next, dropped } = trimKey(withSettings(cur!, { minDecryptionVersion: 2, minEncryptionVersion: 2 }), 2);
      return { next, result: next, wipe: dropped };
    });
    assert.ok(v1.every((b) => b === 0));
    const v2 = key.versions.get(2)!.secret!;
    await store.update(storage, 'k', () => ({ next: null, result: null }));
    assert.ok(v2.every((b) => b === 0));
    assert.equal(await store.get(storage, 'k'), null);
  });

  it('keeps at most `size` keys once sized, reading evicted ones again', async () => {
    const { storage, reads } = memoryStorage();
    const store = new KeyStore();
    await store.setCacheSize(storage, 10);
    for (let i = 0; i < 12; i++) await store.update(storage, `k${i}`, async () => ({ next: await createKey(options(`k${i}`), 1), result: null }));
    const before = reads();
    await store.get(storage, 'k11');
    assert.equal(reads(), before, 'recent key cached');
    await store.get(storage, 'k0');
    assert.equal(reads(), before + 1, 'the oldest was evicted and is read again');
    assert.equal(await store.cacheSize(storage), 10);
  });

  it('stores nothing when the mount closes (a seal) while a change is being made, and wipes what it made', async () => {
    const { storage, map } = memoryStorage();
    const store = new KeyStore();
    await store.update(storage, 'k', async () => ({ next: await createKey(options('k'), 1), result: null }));
    const storedBefore = Buffer.from(map.get([...map.keys()].find((k) => k.includes('k'))!)!);
    let made: Awaited<ReturnType<typeof rotateKey>> | undefined;
    const rotation = store.update(storage, 'k', async (current) => {
      const next = await rotateKey(current!, 2);
      store.close(); // the seal lands while the new version was being generated
      made = next;
      return { next, result: null };
    });
    await assert.rejects(rotation, /the transit mount is closing/);
    const storedAfter = map.get([...map.keys()].find((k) => k.includes('k'))!)!;
    assert.deepEqual(storedAfter, storedBefore, 'the stored key is unchanged');
    assert.ok([...made!.versions.values()].every((v) => v.wiped), 'every version, the new one included, is wiped');
  });
});
