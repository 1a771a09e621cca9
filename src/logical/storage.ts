/**
 * Storage as every layer above the barrier sees it: plaintext values, authenticated and
 * encrypted underneath. Engines get a `view` of it rooted at their own prefix and nothing else.
 */
import { invalidRequest } from '../errors.js';

export interface Storage {
  get(key: string): Promise<Buffer | null>;
  put(key: string, value: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  /** One level: keys by last segment, folders as `name/`, sorted. */
  list(prefix: string): Promise<string[]>;
  listPage(prefix: string, after: string, limit: number): Promise<string[]>;
  /**
   * Optional: several puts and deletes applied atomically, in order, as one physical
   * transaction (one group commit). Without it, `applyOps` falls back to one call each.
   */
  batch?(ops: StorageOp[]): Promise<void>;
  /**
   * Optional: the JSON value at `key`, parsed once and shared by every caller, deeply
   * frozen. For read paths that never change what they read (`readShared`).
   */
  getParsed?(key: string): Promise<unknown>;
}

/** A parsed JSON value nobody may change: shared between requests by `readShared`. */
export type Frozen<T> = T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

export type StorageOp = { kind: 'put'; key: string; value: Buffer } | { kind: 'delete'; key: string };

/** A storage rooted at `prefix` (which ends in '/'); keys below it cannot escape it. */
export function storageView(parent: Storage, prefix: string): Storage {
  if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`storage view prefix must end in '/': ${prefix}`);
  const full = (key: string) => {
    // Engines build keys from request paths; a key that climbs out of its view is refused here,
    // not trusted to every engine's validation. It came from the request, so it is a 400.
    if (key.startsWith('/') || (key.includes('.') && key.split('/').some((s) => s === '..' || s === '.'))) {
      throw invalidRequest('invalid path: a name may not be "." or ".." or start with "/"');
    }
    return prefix + key;
  };
  return {
    get: (key) => parent.get(full(key)),
    put: (key, value) => parent.put(full(key), value),
    delete: (key) => parent.delete(full(key)),
    list: (p) => parent.list(full(p)),
    listPage: (p, after, limit) => parent.listPage(full(p), after, limit),
    ...(parent.getParsed ? { getParsed: (key: string) => parent.getParsed!(full(key)) } : {}),
    ...(parent.batch
      ? {
          batch: (ops: StorageOp[]) =>
            parent.batch!(ops.map((op) => (op.kind === 'put' ? { kind: 'put', key: full(op.key), value: op.value } : { kind: 'delete', key: full(op.key) }))),
        }
      : {}),
  };
}

/** Applies `ops` in order: atomically in one commit where the storage can, else one by one. */
export async function applyOps(storage: Storage, ops: StorageOp[]): Promise<void> {
  if (ops.length === 0) return;
  if (storage.batch) return storage.batch(ops);
  for (const op of ops) {
    if (op.kind === 'put') await storage.put(op.key, op.value);
    else await storage.delete(op.key);
  }
}

export function jsonOp(key: string, value: unknown): StorageOp {
  return { kind: 'put', key, value: Buffer.from(JSON.stringify(value), 'utf8') };
}

export async function getJson<T>(storage: Storage, key: string): Promise<T | null> {
  const raw = await storage.get(key);
  return raw === null ? null : (JSON.parse(raw.toString('utf8')) as T);
}

/**
 * Like getJson, for readers that never change the value: where the storage keeps parsed
 * values (the barrier's cache), every reader shares one frozen copy instead of parsing its own.
 */
export async function readShared<T>(storage: Storage, key: string): Promise<Frozen<T> | null> {
  if (storage.getParsed) return (await storage.getParsed(key)) as Frozen<T> | null;
  // Frozen here too, so a reader that breaks the promise fails the same way with or without a cache.
  return deepFreeze(await getJson<Frozen<T>>(storage, key));
}

/** Freezes a parsed JSON value and everything in it, so no sharer can change it for the others. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function putJson(storage: Storage, key: string, value: unknown): Promise<void> {
  return storage.put(key, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Every key below `prefix`, depth first. For tidy and teardown, not for request paths. */
export async function listRecursive(storage: Storage, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await storage.list(prefix)) {
    if (entry.endsWith('/')) out.push(...(await listRecursive(storage, prefix + entry)));
    else out.push(prefix + entry);
  }
  return out;
}

/** Deletes every key below `prefix` (a disabled mount, a revoked token's cubbyhole). */
export async function clearPrefix(storage: Storage, prefix: string): Promise<void> {
  for (const key of await listRecursive(storage, prefix)) await storage.delete(key);
}
