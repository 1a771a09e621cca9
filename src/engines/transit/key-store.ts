/**
 * Where a mount's keys live: `policy/<name>` in the mount's storage view (so only ever
 * through the barrier), parsed once into the in-memory cache. Reads of a cached key take no
 * lock and no await; every change to a key (create, rotate, config, trim, delete, restore)
 * runs under that key's lock, writes storage first and then swaps the cached value, so a
 * cache miss being filled can never overwrite a newer key.
 */
import { invalidRequest } from '../../errors.js';
import { KeyLock } from '../../framework/key-lock.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import { KeyCache } from './key-cache.js';
import { wipeVersion, type KeyVersion } from './key-material.js';
import { fromStored, toStored, type StoredKey, type TransitKey } from './transit-key.js';

export const KEY_PREFIX = 'policy/';
const CACHE_CONFIG = 'config/cache';
const KEYS_CONFIG = 'config/keys';

/** What a change decides: the key to store (null deletes it), the answer, versions to zero. */
export interface KeyChange<T> {
  next?: TransitKey | null;
  result: T;
  wipe?: KeyVersion[];
}

export interface KeysConfig {
  disableUpsert: boolean;
}

export class KeyStore {
  private readonly cache = new KeyCache<TransitKey>();
  private readonly writers = new KeyLock();
  private configLoaded: Promise<void> | null = null;
  private keysConfig: KeysConfig = { disableUpsert: false };
  private closed = false;

  /** The key if it is in memory, without touching storage: the hot paths try this first. */
  cached(name: string): TransitKey | undefined {
    return this.cache.get(name);
  }

  /** The key, from memory when cached. Callers use it synchronously after the await (see KeyVersion.wiped). */
  get(storage: Storage, name: string): Promise<TransitKey | null> | TransitKey {
    const hit = this.cache.get(name);
    if (hit) return hit;
    return this.load(storage, name);
  }

  private async load(storage: Storage, name: string): Promise<TransitKey | null> {
    await this.ensureConfig(storage);
    return this.locked(name, async () => {
      const again = this.cache.get(name);
      if (again) return again;
      return this.read(storage, name);
    });
  }

  /** Reads a key from storage into the cache; call with the key's lock held. */
  private async read(storage: Storage, name: string): Promise<TransitKey | null> {
    const stored = await getJson<StoredKey>(storage, KEY_PREFIX + name);
    if (!stored) return null;
    let key: TransitKey;
    try {
      key = fromStored(stored);
    } catch (err) {
      // Storage is authenticated, so this is a bug or a format we no longer read.
      throw new Error(`transit key "${name}" cannot be read: ${err instanceof Error ? err.message : 'unknown'}`);
    }
    this.remember(name, key);
    return key;
  }

  private remember(name: string, key: TransitKey): void {
    if (this.closed) {
      for (const v of key.versions.values()) wipeVersion(v);
      throw invalidRequest('the transit mount is closing (sealed or disabled)');
    }
    this.cache.set(name, key);
  }

  /**
   * Runs `change` on the current key (null when there is none) under the key's lock and
   * applies what it decides: storage first, then the cache, then the wipe.
   */
  async update<T>(storage: Storage, name: string, change: (current: TransitKey | null) => Promise<KeyChange<T>> | KeyChange<T>): Promise<T> {
    await this.ensureConfig(storage);
    return this.locked(name, async () => {
      const current = this.cache.get(name) ?? (await this.read(storage, name));
      const decided = await change(current);
      // A seal or unmount while `change` awaited (a new RSA version takes a while) wiped the
      // versions it built on: nothing may be stored from them, and the new ones go too.
      if (this.closed || (decided.next && [...decided.next.versions.values()].some((v) => v.wiped))) {
        for (const v of decided.next?.versions.values() ?? []) wipeVersion(v);
        throw invalidRequest('the transit mount is closing (sealed or disabled)');
      }
      if (decided.next === null) {
        await storage.delete(KEY_PREFIX + name);
        this.cache.delete(name);
        if (current) for (const v of current.versions.values()) wipeVersion(v);
      } else if (decided.next) {
        await putJson(storage, KEY_PREFIX + name, toStored(decided.next));
        this.remember(name, decided.next);
      }
      for (const v of decided.wipe ?? []) wipeVersion(v);
      return decided.result;
    });
  }

  /** Key names in byte order; `limit` 0 = all. */
  list(storage: Storage, after: string, limit: number): Promise<string[]> {
    if (after === '' && limit === 0) return storage.list(KEY_PREFIX);
    return storage.listPage(KEY_PREFIX, after, limit === 0 ? Number.MAX_SAFE_INTEGER : limit);
  }

  // --- mount-wide settings: cache-config and config/keys -------------------------------

  private ensureConfig(storage: Storage): Promise<void> {
    this.configLoaded ??= (async () => {
      const cache = await getJson<{ size: number }>(storage, CACHE_CONFIG);
      this.cache.resize(cache?.size ?? 0);
      const keys = await getJson<{ disable_upsert: boolean }>(storage, KEYS_CONFIG);
      this.keysConfig = { disableUpsert: keys?.disable_upsert ?? false };
    })().catch((err: unknown) => {
      this.configLoaded = null;
      throw err;
    });
    return this.configLoaded;
  }

  async cacheSize(storage: Storage): Promise<number> {
    await this.ensureConfig(storage);
    return this.cache.size;
  }

  async setCacheSize(storage: Storage, size: number): Promise<void> {
    await this.ensureConfig(storage);
    await putJson(storage, CACHE_CONFIG, { size });
    this.cache.resize(size);
  }

  async config(storage: Storage): Promise<KeysConfig> {
    await this.ensureConfig(storage);
    return this.keysConfig;
  }

  async setConfig(storage: Storage, config: KeysConfig): Promise<void> {
    await this.ensureConfig(storage);
    await putJson(storage, KEYS_CONFIG, { disable_upsert: config.disableUpsert });
    this.keysConfig = config;
  }

  /** Seal or unmount: zero every cached key and refuse to cache more. */
  close(): void {
    this.closed = true;
    for (const key of this.cache.values()) for (const v of key.versions.values()) wipeVersion(v);
    this.cache.clear();
  }

  /** One writer at a time per key: the rest queue behind it. */
  private locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.writers.run(name, fn);
  }
}
