/**
 * The token store: every token's state and lifecycle (create, look up, use, renew, revoke).
 *
 * Storage layout (below the view core hands in):
 *   id/<hmac>                  TokenEntry JSON, keyed by HMAC-SHA256(salt, token)
 *   accessor/<accessor>        the hashed id, utf8
 *   parent/<parentHmac>/<hmac> empty: a revocation finds a token's children with one list
 *   roles/<name>               token roles (token-roles.ts)
 *
 * Lookups are served from an in-memory map keyed by the same HMAC (token-cache.ts explains
 * why its timing reveals nothing). Raw tokens are never stored or logged.
 */
import { invalidRequest } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { AuthBlock } from '../../logical/request.js';
import { getJson, type Storage } from '../../logical/storage.js';
import { listAllKeys, TokenCache } from './token-cache.js';
import { buildEntry, checkChosenId } from './token-create.js';
import { authBlock, isExpired, lookupData, USED_UP, type CreateTokenOptions, type TokenEntry } from './token-entry.js';
import { isHashedId, isPlausibleAccessor, newServiceToken, TokenHasher } from './token-ids.js';
import { runTidy, type TidyReport } from './token-tidy.js';
import { computeRenewal } from './token-ttl.js';

export interface TokenStoreOptions {
  /** The store's own storage view; nothing else lives below it. */
  storage: Storage;
  /** 32 random bytes persisted by core. */
  salt: Buffer;
  /** unix ms; Date.now by default */
  clock?: () => number;
  /** Called once per revoked token, before its entry is deleted (cubbyhole, leases). */
  onRevoke: (entry: TokenEntry) => Promise<void>;
  /** For background failures; only accessors are ever logged. */
  logger?: Logger;
  /** Told each expiry time a token gets (create, renew, load), so it is revoked on time. */
  onExpiry?: (hashedId: string, expireTimeMs: number) => void;
  /** The policies a token's entity brings (identity), shown in auth blocks and lookups. */
  identityPolicies?: (entityId: string) => readonly string[];
}

export interface LookupOptions {
  /** Also return a token whose last use is in flight (numUses -1): the caller of the current request. */
  includeUsedUp?: boolean;
}

export class TokenStore {
  readonly storage: Storage;
  readonly clock: () => number;
  private readonly hasher: TokenHasher;
  private readonly onRevoke: (entry: TokenEntry) => Promise<void>;
  private readonly logger: Logger | undefined;
  private readonly onExpiry: (hashedId: string, expireTimeMs: number) => void;
  private readonly identityPolicies: (entityId: string) => readonly string[];
  private readonly cache: TokenCache;
  private readonly revocations = new Map<string, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();
  /** Hashed ids being created right now: two creates of one chosen id cannot both pass the check. */
  private readonly creating = new Set<string>();

  constructor(opts: TokenStoreOptions) {
    this.storage = opts.storage;
    this.hasher = new TokenHasher(opts.salt);
    this.clock = opts.clock ?? Date.now;
    this.onRevoke = opts.onRevoke;
    this.logger = opts.logger;
    this.onExpiry = opts.onExpiry ?? (() => undefined);
    this.identityPolicies = opts.identityPolicies ?? (() => []);
    this.cache = new TokenCache(opts.storage);
  }

  hash(token: string): string {
    return this.hasher.hash(token);
  }

  /** Constant-time equality of two raw tokens (compares their equal-length HMACs). */
  tokensEqual(a: string, b: string): boolean {
    return this.hasher.equal(a, b);
  }

  /** Reads every entry into memory (on unseal). Returns how many entries were loaded. */
  async load(): Promise<number> {
    let count = 0;
    for (const h of await this.listKeys('id/')) {
      const entry = isHashedId(h) ? await this.cache.load(h) : null;
      if (!entry) continue;
      count++;
      if (entry.expireTime > 0) this.onExpiry(h, entry.expireTime);
    }
    return count;
  }

  async create(opts: CreateTokenOptions): Promise<{ token: string; entry: TokenEntry; warnings: string[] }> {
    if (opts.id !== undefined) checkChosenId(opts.id);
    const parent = opts.parent && !opts.orphan ? opts.parent : undefined;
    const token = opts.id ?? newServiceToken();
    const hashedId = this.hash(token);
    const { entry, warnings } = buildEntry(opts, hashedId, parent?.hashedId ?? '', this.clock());
    if (this.creating.has(hashedId)) throw invalidRequest('cannot create a token with a duplicate id');
    this.creating.add(hashedId);
    try {
      // Only a chosen id can already exist in storage: a random one has 143 bits of entropy,
      // and skipping that read (a miss every time) is a tenth of a login's cost on sqlite.
      const chosen = opts.id !== undefined;
      if (this.cache.get(hashedId) || this.cache.isRevoking(hashedId) || (chosen && (await this.storage.get(`id/${hashedId}`)))) {
        throw invalidRequest('cannot create a token with a duplicate id');
      }
      if (parent && !(await this.parentAlive(parent.hashedId))) throw invalidRequest('the parent token is no longer valid');
      await Promise.all([
        this.cache.write(hashedId, entry),
        this.storage.put(`accessor/${entry.accessor}`, Buffer.from(hashedId, 'utf8')),
        parent ? this.storage.put(`parent/${parent.hashedId}/${hashedId}`, Buffer.alloc(0)) : undefined,
      ]);
      this.cache.index(entry);
      if (entry.expireTime > 0) this.onExpiry(hashedId, entry.expireTime);
    } finally {
      this.creating.delete(hashedId);
    }
    // The parent may have been revoked while we wrote, and its revocation may have missed this child.
    if (parent && !(await this.parentAlive(parent.hashedId))) {
      await this.revokeTree(entry);
      throw invalidRequest('the parent token was revoked while the token was being created');
    }
    return { token, entry, warnings };
  }

  /** The entry for a raw token; null when unknown, expired (then revoked in the background) or used up. */
  lookup(token: string, opts: LookupOptions = {}): Promise<TokenEntry | null> | TokenEntry | null {
    if (typeof token !== 'string' || token === '') return null;
    // Our own digest: well-formed by construction, so no need to check its shape.
    const h = this.hash(token);
    // Every request looks its token up: answered without a promise when memory has it.
    const cached = this.cache.get(h);
    if (cached !== undefined) return this.usable(cached, opts);
    return this.lookupHashed(h, opts);
  }

  /**
   * The entry for a hashed id when memory holds it, null when it is expired or used up, and
   * undefined when memory does not know it (then ask lookupByHashedId). For long-lived event
   * streams that check their token on every batch without keeping the raw token or hashing it again.
   */
  peekHashed(hashedId: string): TokenEntry | null | undefined {
    const cached = this.cache.get(hashedId);
    return cached === undefined ? undefined : this.usable(cached, {});
  }

  async lookupByAccessor(accessor: string, opts: LookupOptions = {}): Promise<TokenEntry | null> {
    if (typeof accessor !== 'string' || !isPlausibleAccessor(accessor)) return null;
    let h = this.cache.hashForAccessor(accessor);
    if (h === undefined) {
      const raw = await this.storage.get(`accessor/${accessor}`);
      if (!raw) return null;
      h = raw.toString('utf8');
    }
    const entry = await this.lookupByHashedId(h, opts);
    return entry && entry.accessor === accessor ? entry : null;
  }

  async lookupByHashedId(hashedId: string, opts: LookupOptions = {}): Promise<TokenEntry | null> {
    if (typeof hashedId !== 'string' || !isHashedId(hashedId)) return null;
    return this.lookupHashed(hashedId, opts);
  }

  private async lookupHashed(hashedId: string, opts: LookupOptions): Promise<TokenEntry | null> {
    const entry = await this.cache.load(hashedId);
    return entry ? this.usable(entry, opts) : null;
  }

  private usable(entry: TokenEntry, opts: LookupOptions): TokenEntry | null {
    if (isExpired(entry, this.clock())) {
      this.revokeInBackground(entry);
      return null;
    }
    if (entry.numUses === USED_UP && !opts.includeUsedUp) return null;
    return entry;
  }

  /**
   * Spends one use of a limited-use token. Returns the updated entry, or null when the token
   * has no use left (or is gone). When the returned entry's numUses is -1 (`isFinalUse`), this
   * request was the last one allowed: it still succeeds, and core calls `revokeTree` after it.
   */
  async useToken(entry: TokenEntry): Promise<TokenEntry | null> {
    if (entry.numUses === 0) return entry;
    return this.update(entry.hashedId, (cur) =>
      cur.numUses === USED_UP ? null : cur.numUses === 0 ? cur : { ...cur, numUses: cur.numUses === 1 ? USED_UP : cur.numUses - 1 },
    );
  }

  async renew(entry: TokenEntry, incrementSeconds: number, maxTtlSeconds: number): Promise<TokenEntry> {
    return (await this.renewWithWarnings(entry, incrementSeconds, maxTtlSeconds)).entry;
  }

  /** `renew`, also returning warnings (TTL capped by a maximum) for the response. */
  async renewWithWarnings(entry: TokenEntry, increment: number, maxTtl: number): Promise<{ entry: TokenEntry; warnings: string[] }> {
    let warnings: string[] = [];
    const next = await this.update(entry.hashedId, (cur) => {
      const now = this.clock();
      if (isExpired(cur, now) || cur.numUses === USED_UP) return null;
      if (cur.expireTime === 0) return cur; // never expires: nothing to extend
      const result = computeRenewal(cur, increment, maxTtl, now);
      warnings = result.warnings;
      return { ...cur, expireTime: result.expireTime, lastRenewalTime: Math.floor(now / 1000) };
    });
    if (!next) throw invalidRequest('token not found');
    if (next.expireTime > 0) this.onExpiry(next.hashedId, next.expireTime);
    return { entry: next, warnings };
  }

  /** Revokes the token and all its descendants, depth first (children before parents). */
  revokeTree(entry: TokenEntry): Promise<void> {
    const h = entry.hashedId;
    const running = this.revocations.get(h);
    if (running) return running;
    const job = (async () => {
      await this.taint(h);
      await this.revokeSubtree(h, entry.parentHashedId);
    })().finally(() => this.revocations.delete(h));
    this.revocations.set(h, job);
    return job;
  }

  /** Revokes only this token; its children become orphans. */
  async revokeOrphan(entry: TokenEntry): Promise<void> {
    const h = entry.hashedId;
    await this.taint(h);
    for (const child of await this.listKeys(`parent/${h}/`)) {
      await this.update(child, (cur) => (cur.parentHashedId === h ? { ...cur, parentHashedId: '', orphan: true } : cur));
      await this.storage.delete(`parent/${h}/${child}`);
    }
    await this.destroy(h, entry.parentHashedId);
  }

  /** Revokes every expired token held in memory (cheap: the backend's periodic hook calls it). */
  async revokeExpired(): Promise<number> {
    const now = this.clock();
    const expired = this.cache.values().filter((e) => isExpired(e, now));
    for (const entry of expired) await this.revokeTree(entry);
    return expired.length;
  }

  /** Revokes the token if its time has come (its expiry timer fired); true when it did. */
  async revokeIfExpired(hashedId: string): Promise<boolean> {
    const entry = this.cache.get(hashedId) ?? (await this.cache.load(hashedId));
    if (!entry || !isExpired(entry, this.clock())) return false;
    await this.revokeTree(entry);
    return true;
  }

  /** Every live token held in memory (lease listings and prefix revocations by creation path). */
  all(): TokenEntry[] {
    return this.cache.values().filter((e) => e.numUses !== USED_UP);
  }

  /** Full storage sweep: dangling indexes, expired or half-revoked tokens, children of vanished parents. */
  tidy(): Promise<TidyReport> {
    return runTidy({
      storage: this.storage,
      listKeys: (p) => this.listKeys(p),
      readEntry: (h) => getJson<TokenEntry>(this.storage, `id/${h}`),
      isRevoking: (h) => this.cache.isRevoking(h) || this.revocations.has(h),
      revokeTree: (e) => this.revokeTree(e),
      now: this.clock,
    });
  }

  async listAccessors(): Promise<string[]> {
    return (await this.listKeys('accessor/')).filter((k) => !k.endsWith('/'));
  }

  /** Forgets everything held in memory (seal). */
  clear(): void {
    this.cache.clear();
  }

  /** On seal: entries and the salt leave memory; this store is not used again. */
  wipe(): void {
    this.cache.clear();
    this.hasher.wipe();
  }

  /** Waits for background revocations (of expired tokens) to finish. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  authBlock(token: string, entry: TokenEntry): AuthBlock {
    return authBlock(token, entry, this.clock(), entry.entityId ? this.identityPolicies(entry.entityId) : []);
  }

  /** Lookup `data`; pass `token` only when the caller presented the raw token itself. */
  lookupData(entry: TokenEntry, token = ''): Record<string, unknown> {
    return lookupData(entry, this.clock(), token, entry.entityId ? this.identityPolicies(entry.entityId) : []);
  }

  // ---- internals ----

  /** Applies `fn` to the current entry and persists the result; null from fn changes nothing. */
  private async update(h: string, fn: (cur: TokenEntry) => TokenEntry | null): Promise<TokenEntry | null> {
    if (!(await this.cache.load(h))) return null;
    const cur = this.cache.get(h); // re-read after the await: the synchronous check-and-set below is atomic
    if (!cur || this.cache.isRevoking(h)) return null;
    const next = fn(cur);
    if (next === null || next === cur) return next;
    this.cache.index(next);
    await this.cache.write(h, next);
    return next;
  }

  /** Makes a token unusable at once (numUses -1), before a possibly long revocation. */
  private async taint(h: string): Promise<void> {
    await this.update(h, (cur) => (cur.numUses === USED_UP ? cur : { ...cur, numUses: USED_UP }));
  }

  private async revokeSubtree(h: string, parentH: string): Promise<void> {
    for (const child of await this.listKeys(`parent/${h}/`)) {
      if (isHashedId(child)) await this.revokeSubtree(child, h);
    }
    await this.destroy(h, parentH);
  }

  private async destroy(h: string, parentH: string): Promise<void> {
    const cached = this.cache.beginRevoke(h);
    let entry: TokenEntry | null = cached ?? null;
    try {
      entry ??= await getJson<TokenEntry>(this.storage, `id/${h}`);
      if (entry) {
        // Persisted as used up first: if onRevoke fails the token stays dead, and tidy retries.
        if (entry.numUses !== USED_UP) await this.cache.write(h, { ...entry, numUses: USED_UP });
        await this.onRevoke(entry);
        await Promise.all([this.cache.write(h, null), this.storage.delete(`accessor/${entry.accessor}`)]);
        if (entry.parentHashedId) await this.storage.delete(`parent/${entry.parentHashedId}/${h}`);
      }
      if (parentH && parentH !== entry?.parentHashedId) await this.storage.delete(`parent/${parentH}/${h}`);
    } finally {
      this.cache.endRevoke(h, entry?.accessor);
    }
  }

  private revokeInBackground(entry: TokenEntry): void {
    const job = this.revokeTree(entry).catch((err: unknown) => {
      this.logger?.error('revoking an expired token failed', { accessor: entry.accessor, error: String(err) });
    });
    this.background.add(job);
    void job.finally(() => this.background.delete(job));
  }

  private listKeys(prefix: string): Promise<string[]> {
    return listAllKeys(this.storage, prefix);
  }

  /** A parent can take a new child only while it exists and no revocation of it has begun. */
  private async parentAlive(h: string): Promise<boolean> {
    if (this.revocations.has(h)) return false;
    return (await this.lookupByHashedId(h, { includeUsedUp: true })) !== null && !this.revocations.has(h);
  }
}
