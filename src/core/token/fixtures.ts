/**
 * Test fixtures for the token store (not loaded by the server): a Map-backed Storage and a
 * way to run token backend requests through the framework's own dispatch.
 */
import type { CallerInfo, HandlerContext } from '../../framework/backend.js';
import { findPath, parseFields, runHandler, settleWriteOperation } from '../../framework/dispatch.js';
import { silentLogger } from '../../logging/logger.js';
import type { Operation, Response } from '../../logical/request.js';
import type { Storage } from '../../logical/storage.js';
import { createTokenBackend, type TokenBackendDeps } from './token-backend.js';
import type { TokenEntry } from './token-entry.js';
import { TokenStore } from './token-store.js';

export class MemStorage implements Storage {
  readonly data = new Map<string, Buffer>();

  async get(key: string): Promise<Buffer | null> {
    const v = this.data.get(key);
    return v ? Buffer.from(v) : null;
  }
  async put(key: string, value: Buffer): Promise<void> {
    this.data.set(key, Buffer.from(value));
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    const out = new Set<string>();
    for (const key of this.data.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...out].sort();
  }
  async listPage(prefix: string, after: string, limit: number): Promise<string[]> {
    return (await this.list(prefix)).filter((k) => k > after).slice(0, limit);
  }
}

export interface Harness {
  storage: MemStorage;
  store: TokenStore;
  revoked: TokenEntry[];
  now: { ms: number };
  rootToken: string;
  root: TokenEntry;
  /**
   * Runs a request through the token backend as `token` would. `inFlight` authenticates a
   * token whose last use this very request has spent (core looked it up before spending it).
   */
  call(token: string, op: Operation, path: string, data?: Record<string, unknown>, inFlight?: boolean): Promise<Response | null>;
}

export async function harness(deps: TokenBackendDeps = {}, system = { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 }): Promise<Harness> {
  const storage = new MemStorage();
  const now = { ms: Date.UTC(2024, 0, 1) };
  const revoked: TokenEntry[] = [];
  const store = new TokenStore({
    storage,
    salt: Buffer.alloc(32, 7),
    clock: () => now.ms,
    onRevoke: async (e) => {
      revoked.push(e);
    },
  });
  const backend = createTokenBackend(store, deps);
  const { token: rootToken, entry: root } = await store.create({
    policies: ['root'], path: 'auth/token/root', displayName: 'root', ttl: 0, orphan: true,
  });
  const call: Harness['call'] = async (token, op, path, data = {}, inFlight = false) => {
    const entry = await store.lookup(token, { includeUsedUp: inFlight });
    if (!entry) throw new Error('harness: unknown caller token');
    const caller: CallerInfo = {
      accessor: entry.accessor, policies: entry.policies, displayName: entry.displayName,
      entityId: entry.entityId, cubbyholeId: entry.cubbyholeId, isRoot: entry.policies.includes('root'),
    };
    const route = findPath(backend, path);
    if (!route) throw new Error(`harness: no route for ${path}`);
    const { fields, ignored } = parseFields(route, data);
    const ctx: HandlerContext = {
      req: { id: 'req', operation: op, path: `auth/token/${path}`, data, clientToken: token, headers: {} },
      fields, raw: data, storage, logger: silentLogger,
      mount: {
        path: 'auth/token/', type: 'token', uuid: 'u', accessor: 'auth_token_x', description: '',
        config: { default_lease_ttl: 0, max_lease_ttl: 0 }, options: {}, local: false, sealWrap: false,
      },
      system, caller, clock: () => now.ms, random: (n) => Buffer.alloc(n),
    };
    const operation = op === 'update' ? await settleWriteOperation(route, ctx) : op;
    return runHandler(backend, route, operation, ctx, ignored);
  };
  return { storage, store, revoked, now, rootToken, root, call };
}
