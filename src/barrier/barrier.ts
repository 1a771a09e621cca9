/**
 * The barrier: the single point of encryption between everything above it and the untrusted
 * physical backend. Values are AES-256-GCM sealed with the active keyring term and bound to
 * their storage path (see aead.ts). The keyring itself lives at `core/keyring`, sealed by the
 * root key, which the seal layer hands in on unseal.
 *
 * Keys (paths) are not encrypted and `list`/`listPage` pass straight through: as in Vault,
 * paths are not treated as secret, only values are. Plaintext entries the seal keeps for
 * itself (`core/seal-config`, `core/root-key`) are written to the physical backend directly.
 */
import { invalidRequest, sealedError } from '../errors.js';
import { deepFreeze, storageView, type Storage, type StorageOp } from '../logical/storage.js';
import type { PhysicalOp } from '../physical/types.js';
import type { PhysicalBackend } from '../physical/types.js';
import { EntryOpenError, KEY_BYTES, entryTerm, openEntry, sealEntry } from './aead.js';
import { Keyring } from './keyring.js';
import { EntryCache, type EntryCacheOptions } from './entry-cache.js';

export const KEYRING_PATH = 'core/keyring';
// The keyring entry's own term field; it is sealed by the root key, not by a keyring term.
const ROOT_TERM = 0;

export interface BarrierOptions {
  /** Limits of the decrypted-entry cache, or false for none (e.g. storage other nodes write). */
  cache?: EntryCacheOptions | false;
}

export interface KeyStatus {
  term: number;
  installTime: Date;
  /** Entries encrypted with the active term since this process unsealed. */
  encryptions: number;
}

interface Unsealed {
  keyring: Keyring;
  rootKey: Buffer;
}

export class Barrier implements Storage {
  private readonly physical: PhysicalBackend;
  private readonly cache: EntryCache | null;
  private state: Unsealed | null = null;
  private encryptions = 0;
  // Serializes keyring writers (initialize, rotate, rekeyRootKey) so two rotations cannot
  // both read term N and persist competing N+1 keyrings.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(physical: PhysicalBackend, options: BarrierOptions = {}) {
    this.cache = options.cache === false ? null : new EntryCache(options.cache);
    this.physical = physical;
  }

  get sealed(): boolean {
    return this.state === null;
  }

  async isInitialized(): Promise<boolean> {
    return (await this.physical.get(KEYRING_PATH)) !== null;
  }

  /** Creates the first keyring, sealed by `rootKey`. The barrier stays sealed. */
  initialize(rootKey: Buffer): Promise<void> {
    checkRootKey(rootKey);
    return this.serial(async () => {
      if (await this.isInitialized()) throw invalidRequest('Vault is already initialized');
      const ring = Keyring.withFirstTerm();
      try {
        await this.persistKeyring(ring, rootKey);
      } finally {
        ring.destroy();
      }
    });
  }

  /** Opens the keyring with `rootKey`. A wrong key throws and leaves the barrier sealed. */
  async unseal(rootKey: Buffer): Promise<void> {
    checkRootKey(rootKey);
    if (this.state !== null) return;
    const entry = await this.physical.get(KEYRING_PATH);
    if (entry === null) throw invalidRequest('Vault is not initialized');
    let raw: Buffer;
    try {
      raw = openEntry(rootKey, KEYRING_PATH, entry);
    } catch (e) {
      if (e instanceof EntryOpenError) {
        throw new Error(`barrier: ${KEYRING_PATH} failed authentication; the root key is wrong or the keyring was altered`);
      }
      throw e;
    }
    let keyring: Keyring;
    try {
      keyring = Keyring.deserialize(raw);
    } finally {
      raw.fill(0);
    }
    // A concurrent unseal may have won while we read; keep its state, drop ours.
    if (this.state !== null) {
      keyring.destroy();
      return;
    }
    this.state = { keyring, rootKey: copyKey(rootKey) };
    this.encryptions = 0;
  }

  /**
   * Reads the keyring again with the root key in hand and drops the cache: another node of
   * an HA cluster may have rotated the keyring or written entries while this one was a
   * standby. Fails (and changes nothing) when the stored keyring no longer opens with this
   * root key, as after a rekey elsewhere.
   */
  reloadKeyring(): Promise<void> {
    return this.serial(async () => {
      const state = this.unsealed();
      const entry = await this.physical.get(KEYRING_PATH);
      if (entry === null) throw new Error(`barrier: ${KEYRING_PATH} is missing`);
      let raw: Buffer;
      try {
        raw = openEntry(state.rootKey, KEYRING_PATH, entry);
      } catch (e) {
        if (e instanceof EntryOpenError) throw new Error(`barrier: ${KEYRING_PATH} no longer opens with this node's root key (rekeyed elsewhere?)`);
        throw e;
      }
      let keyring: Keyring;
      try {
        keyring = Keyring.deserialize(raw);
      } finally {
        raw.fill(0);
      }
      if (this.state !== state) {
        keyring.destroy();
        throw sealedError();
      }
      state.keyring.destroy();
      state.keyring = keyring;
      this.cache?.clear();
    });
  }

  /** Zeroes every key buffer, drops the cache; every storage call then fails as sealed. */
  seal(): void {
    const state = this.state;
    this.state = null;
    this.encryptions = 0;
    this.cache?.clear();
    if (state === null) return;
    state.keyring.destroy();
    state.rootKey.fill(0);
  }

  /** Installs a new term for new writes; entries under older terms stay readable. */
  rotate(): Promise<{ term: number; installTime: Date }> {
    return this.serial(async () => {
      const state = this.unsealed();
      const next = state.keyring.withNewTerm();
      const added = next.activeTerm;
      try {
        await this.persistKeyring(next, state.rootKey);
      } catch (e) {
        added.key.fill(0);
        throw e;
      }
      // Sealed while the write was in flight: the new key must not outlive the seal.
      if (this.state !== state) {
        added.key.fill(0);
        throw sealedError();
      }
      state.keyring = next;
      this.encryptions = 0;
      return { term: added.term, installTime: added.installTime };
    });
  }

  keyStatus(): KeyStatus {
    const active = this.unsealed().keyring.activeTerm;
    return { term: active.term, installTime: active.installTime, encryptions: this.encryptions };
  }

  /**
   * Re-seals the keyring under `newRootKey`. The caller (the seal) must then re-wrap the new
   * root key itself; until it does, the stored wrapped root key no longer opens the keyring.
   */
  rekeyRootKey(newRootKey: Buffer): Promise<void> {
    checkRootKey(newRootKey);
    return this.serial(async () => {
      const state = this.unsealed();
      await this.persistKeyring(state.keyring, newRootKey);
      if (this.state !== state) throw sealedError();
      state.rootKey.fill(0);
      state.rootKey = copyKey(newRootKey);
    });
  }

  /** A copy of the root key, for the seal to wrap; the caller zeroes it when done. */
  getRootKey(): Buffer {
    return copyKey(this.unsealed().rootKey);
  }

  async get(key: string): Promise<Buffer | null> {
    this.unsealed();
    const cached = this.cache?.get(key);
    if (cached !== undefined) return cached;
    const stamp = this.cache?.stamp() ?? 0;
    const entry = await this.physical.get(key);
    // Re-read after the await: a seal in between must not let this read through.
    const { keyring } = this.unsealed();
    let value: Buffer | null = null;
    if (entry !== null) {
      try {
        const t = keyring.term(entryTerm(entry));
        if (t === undefined) throw new Error(`barrier: entry at ${key} uses unknown key term ${entry.readUInt32BE(1)}`);
        value = openEntry(t.key, key, entry);
      } catch (e) {
        if (e instanceof EntryOpenError) throw openFailure(key, e);
        throw e;
      }
    }
    this.cache?.fill(key, value, stamp);
    return value;
  }

  /** The JSON value at `key`, parsed once while cached and shared, deeply frozen. */
  async getParsed(key: string): Promise<unknown> {
    const hit = this.cache?.getParsed(key);
    if (hit !== undefined) {
      this.unsealed();
      return hit;
    }
    const raw = await this.get(key);
    if (raw === null) return null;
    // Filled by that read unless a write overlapped it; then this caller parses its own.
    return this.cache?.getParsed(key) ?? deepFreeze(JSON.parse(raw.toString('utf8')));
  }

  async put(key: string, value: Buffer): Promise<void> {
    const active = this.unsealed().keyring.activeTerm;
    reserved(key);
    const entry = sealEntry(active.key, active.term, key, value);
    this.encryptions++;
    await this.write([key], [[key, value]], () => this.physical.put(key, entry));
  }

  /** Seals every put and hands all ops to the physical backend as one transaction. */
  async batch(ops: StorageOp[]): Promise<void> {
    const active = this.unsealed().keyring.activeTerm;
    const physical: PhysicalOp[] = [];
    for (const op of ops) {
      reserved(op.key);
      if (op.kind === 'put') {
        physical.push({ kind: 'put', key: op.key, value: sealEntry(active.key, active.term, op.key, op.value) });
        this.encryptions++;
      } else {
        physical.push({ kind: 'delete', key: op.key });
      }
    }
    // Not kept in the cache: the next read of each key fetches what was committed.
    await this.write(
      ops.map((op) => op.key),
      undefined,
      () => this.physical.transaction(physical),
    );
  }

  async delete(key: string): Promise<void> {
    this.unsealed();
    reserved(key);
    await this.write([key], [[key, null]], () => this.physical.delete(key));
  }

  async list(prefix: string): Promise<string[]> {
    this.unsealed();
    return this.physical.list(prefix);
  }

  async listPage(prefix: string, after: string, limit: number): Promise<string[]> {
    this.unsealed();
    return this.physical.listPage(prefix, after, limit);
  }

  /** A Storage rooted at `prefix` (ending in '/'). */
  view(prefix: string): Storage {
    return storageView(this, prefix);
  }

  /** Runs a storage write with the cache kept in step: `stored` is cached once it succeeds. */
  private async write(keys: string[], stored: [string, Buffer | null][] | undefined, run: () => Promise<void>): Promise<void> {
    if (this.cache === null) return run();
    // Copied now: the caller may reuse or zero its buffer once the write is under way.
    const kept = stored?.map(([k, v]): [string, Buffer | null] => [k, v === null ? null : Buffer.from(v)]);
    const stamp = this.cache.beginWrite(keys);
    let ok = false;
    try {
      await run();
      ok = true;
    } finally {
      const keep = ok && !this.sealed;
      this.cache.endWrite(stamp, keep ? kept : undefined);
      if (!keep) for (const [, v] of kept ?? []) v?.fill(0);
    }
  }

  private unsealed(): Unsealed {
    if (this.state === null) throw sealedError();
    return this.state;
  }

  private async persistKeyring(ring: Keyring, rootKey: Buffer): Promise<void> {
    const raw = ring.serialize();
    try {
      await this.physical.put(KEYRING_PATH, sealEntry(rootKey, ROOT_TERM, KEYRING_PATH, raw));
    } finally {
      raw.fill(0);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function checkRootKey(rootKey: Buffer): void {
  if (!Buffer.isBuffer(rootKey) || rootKey.length !== KEY_BYTES) {
    throw invalidRequest(`root key must be ${KEY_BYTES} bytes`);
  }
}

// Overwriting the keyring through the storage interface would lose every data key.
function reserved(key: string): void {
  if (key === KEYRING_PATH) throw new Error(`barrier: ${KEYRING_PATH} is reserved for the barrier`);
}

function copyKey(key: Buffer): Buffer {
  const out = Buffer.alloc(key.length);
  key.copy(out);
  return out;
}

function openFailure(key: string, e: EntryOpenError): Error {
  switch (e.reason) {
    case 'malformed':
      return new Error(`barrier: entry at ${key} is malformed (too short to be an encrypted entry)`);
    case 'version':
      return new Error(`barrier: entry at ${key} has an unknown format version`);
    default:
      return new Error(`barrier: entry at ${key} failed authentication`);
  }
}
