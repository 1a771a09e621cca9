/**
 * The expiration manager: every lease core hands out (secrets with a TTL) and every token's
 * expiry, revoked on time. Storage is the truth; the in-memory queue only says when to look.
 * After an unseal the queue is refilled in the background from storage, one batch of entries
 * at a time, while requests are already served: renew, revoke and lookup read storage, so they
 * never depend on the restore having finished.
 */
import { invalidRequest } from '../../errors.js';
import type { LeaseRenewal, LeaseType } from '../../framework/backend.js';
import type { Logger } from '../../logging/logger.js';
import type { SecretInfo } from '../../logical/request.js';
import { applyOps, getJson, jsonOp, putJson, type Storage } from '../../logical/storage.js';
import type { Route } from '../router.js';
import type { TokenStore } from '../token/token-store.js';
import { ExpiryQueue } from './expiry-queue.js';
import { leaseKey, newLeaseId, type LeaseEntry } from './lease-entry.js';
import { walkLeaseIds } from './lease-walk.js';
import { tokensUnder } from './token-leases.js';

export interface RetryPolicy {
  /** First retry delay; doubled per failure. */
  baseMs: number;
  /** Longest delay between two attempts. */
  capMs: number;
  /** Failed attempts after which a lease is marked irrevocable. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 10_000, capMs: 5 * 60_000, maxAttempts: 6 };

export interface ExpirationHost {
  /** The `sys/expire/` view of the barrier. */
  storage: Storage;
  tokens: TokenStore;
  /** The route of a mount by uuid, if it is still mounted. */
  routeByMountUuid(uuid: string): Route | undefined;
  logger: Logger;
  clock: () => number;
  retry?: RetryPolicy;
}

const LEASE = 'l:';
const TOKEN = 't:';
const RESTORE_BATCH = 256;

export class ExpirationManager {
  readonly storage: Storage;
  private readonly host: ExpirationHost;
  private readonly queue: ExpiryQueue;
  private readonly retry: RetryPolicy;
  private readonly revoking = new Map<string, Promise<void>>();
  private stopped = false;
  /** Settles when the restore after unseal has re-armed every timer. */
  restored: Promise<number> = Promise.resolve(0);

  constructor(host: ExpirationHost) {
    this.host = host;
    this.storage = host.storage;
    this.retry = host.retry ?? DEFAULT_RETRY;
    this.queue = new ExpiryQueue({ onDue: (key) => this.onDue(key), clock: host.clock });
  }

  /** Pending timers (leases and tokens). */
  get pending(): number {
    return this.queue.size;
  }

  /** Starts refilling the timers from storage; returns at once. */
  startRestore(): void {
    this.restored = this.restore().catch((err: unknown) => {
      this.host.logger.error('restoring leases failed; they will be revoked by tidy or on access', { error: String(err) });
      return 0;
    });
  }

  /** Seal: timers stop; storage keeps everything for the next unseal. */
  stop(): void {
    this.stopped = true;
    this.queue.stop();
  }

  /** Waits for revocations already running (tests, shutdown). */
  settle(): Promise<void> {
    return this.queue.drain();
  }

  scheduleToken(hashedId: string, expireTimeMs: number): void {
    this.queue.schedule(TOKEN + hashedId, expireTimeMs);
  }

  /** Registers the lease of a secret a backend just issued; returns its id and effective TTL. */
  async register(route: Route, requestPath: string, tokenHash: string, secret: SecretInfo): Promise<{ leaseId: string; ttl: number; warnings: string[] }> {
    if (!route.backend.secrets?.some((t) => t.type === secret.type)) {
      throw new Error(`backend ${route.entry.type} returned a secret of undeclared lease type "${secret.type}"`);
    }
    const { defaultLeaseTtl, maxLeaseTtl } = route.base.system;
    const maxTtl = secret.maxTtl && secret.maxTtl > 0 ? Math.min(secret.maxTtl, maxLeaseTtl) : maxLeaseTtl;
    const wanted = secret.ttl > 0 ? secret.ttl : defaultLeaseTtl;
    const ttl = Math.min(wanted, maxTtl);
    const warnings = wanted > ttl ? [`TTL of ${wanted}s exceeded the effective max_ttl of ${maxTtl}s; TTL value is capped accordingly`] : [];
    const now = this.host.clock();
    const entry: LeaseEntry = {
      leaseId: newLeaseId(requestPath),
      path: requestPath,
      mountUuid: route.entry.uuid,
      type: secret.type,
      internalData: secret.internalData ?? {},
      tokenHash,
      issueTime: now,
      expireTime: now + ttl * 1000,
      lastRenewalTime: 0,
      maxExpireTime: now + maxTtl * 1000,
      renewable: secret.renewable,
      revokeAttempts: 0,
      irrevocable: false,
    };
    const ops = [jsonOp(`id/${entry.leaseId}`, entry)];
    if (tokenHash) ops.push({ kind: 'put', key: `token/${tokenHash}/${leaseKey(entry.leaseId)}`, value: Buffer.from(entry.leaseId, 'utf8') });
    try {
      await applyOps(this.storage, ops);
    } catch (err) {
      // No lease means nobody would ever revoke this secret: take it back now, as best we can.
      const leaseType = route.backend.secrets.find((t) => t.type === secret.type)!;
      await leaseType.revoke(route.base, this.leaseInfo(entry)).catch((revokeErr: unknown) => {
        this.host.logger.error('a secret whose lease could not be stored could not be revoked either', { lease_id: entry.leaseId, error: messageOf(revokeErr) });
      });
      throw err;
    }
    this.queue.schedule(LEASE + entry.leaseId, entry.expireTime);
    return { leaseId: entry.leaseId, ttl, warnings };
  }

  read(leaseId: string): Promise<LeaseEntry | null> {
    return getJson<LeaseEntry>(this.storage, `id/${leaseId}`);
  }

  /** Extends a lease through its backend, never past its max TTL. */
  async renew(leaseId: string, increment: number): Promise<{ entry: LeaseEntry; ttl: number; data?: Record<string, unknown>; warnings: string[] }> {
    const now = this.host.clock();
    const entry = await this.read(leaseId);
    if (!entry || entry.irrevocable || entry.expireTime <= now) throw invalidRequest('lease not found or lease is not renewable');
    const { route, leaseType } = this.backendOf(entry);
    if (!entry.renewable || !leaseType.renew) throw invalidRequest('lease is not renewable');
    let renewal: LeaseRenewal;
    try {
      renewal = (await leaseType.renew(route.base, { ...this.leaseInfo(entry), increment })) ?? {};
    } catch (err) {
      throw invalidRequest(`failed to renew lease ${leaseId}: ${messageOf(err)}`);
    }
    const wanted = increment > 0 ? increment : renewal.ttl && renewal.ttl > 0 ? renewal.ttl : route.base.system.defaultLeaseTtl;
    const expireTime = Math.min(now + wanted * 1000, entry.maxExpireTime);
    const ttl = Math.max(0, Math.floor((expireTime - now) / 1000));
    const warnings = [...(renewal.warnings ?? [])];
    if (ttl < wanted) warnings.push(`TTL of ${wanted}s exceeded the effective max_ttl of the lease; TTL value is capped to ${ttl}s`);
    const next: LeaseEntry = { ...entry, expireTime, lastRenewalTime: now };
    await putJson(this.storage, `id/${leaseId}`, next);
    this.queue.schedule(LEASE + leaseId, expireTime);
    return { entry: next, ttl, data: renewal.data, warnings };
  }

  /**
   * Revokes one lease now. `force` removes it without asking the backend (the secret may
   * outlive it: an operator's decision). Unknown ids succeed: revocation is idempotent.
   */
  revoke(leaseId: string, opts: { force?: boolean } = {}): Promise<void> {
    const running = this.revoking.get(leaseId);
    if (running && !opts.force) return running;
    const job = (async () => {
      const entry = await this.read(leaseId);
      if (entry) await this.revokeEntry(entry, opts.force ?? false);
    })().finally(() => {
      if (this.revoking.get(leaseId) === job) this.revoking.delete(leaseId);
    });
    this.revoking.set(leaseId, job);
    return job;
  }

  /** A revoked token takes the leases it created with it; failures are retried, never block the token's revocation. */
  async revokeByToken(tokenHash: string): Promise<void> {
    const prefix = `token/${tokenHash}/`;
    for (const key of await this.storage.list(prefix)) {
      const raw = await this.storage.get(prefix + key);
      if (raw) {
        const entry = await this.read(raw.toString('utf8'));
        if (entry) await this.revokeEntry(entry, false).catch((err: unknown) => this.recordFailure(entry, err));
      }
      await this.storage.delete(prefix + key);
    }
  }

  /** Every lease whose id starts with `prefix` (a folder: `db/creds/`), revoked now; returns how many. */
  async revokePrefix(prefix: string, opts: { force?: boolean } = {}): Promise<number> {
    const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
    let count = 0;
    const failures: string[] = [];
    for await (const leaseId of walkLeaseIds(this.storage, folder)) {
      try {
        await this.revoke(leaseId, opts);
        count++;
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
    if (failures.length > 0) {
      throw invalidRequest(`failed to revoke ${failures.length} of ${count + failures.length} leases under "${folder}": ${failures[0]}`);
    }
    return count;
  }

  /**
   * Repairs what a crash can leave: leases whose token is gone are revoked, leases without a
   * timer get one, and token indexes pointing at no lease are removed.
   */
  async tidy(): Promise<{ revokedLeases: number; rearmedLeases: number; removedIndexes: number }> {
    const report = { revokedLeases: 0, rearmedLeases: 0, removedIndexes: 0 };
    for await (const leaseId of walkLeaseIds(this.storage, '')) {
      if (this.stopped) return report;
      const entry = await this.read(leaseId);
      if (!entry || entry.irrevocable) continue;
      const tokenGone = entry.tokenHash !== '' && !(await this.host.tokens.lookupByHashedId(entry.tokenHash, { includeUsedUp: true }));
      if (tokenGone) {
        await this.revoke(leaseId).then(
          () => report.revokedLeases++,
          (err: unknown) => this.recordFailure(entry, err),
        );
      } else if (this.queue.when(LEASE + leaseId) === undefined) {
        this.queue.schedule(LEASE + leaseId, entry.expireTime);
        report.rearmedLeases++;
      }
    }
    for (const folder of await this.storage.list('token/')) {
      for (const key of await this.storage.list(`token/${folder}`)) {
        const raw = await this.storage.get(`token/${folder}${key}`);
        if (raw && (await this.read(raw.toString('utf8')))) continue;
        await this.storage.delete(`token/${folder}${key}`);
        report.removedIndexes++;
      }
    }
    return report;
  }

  /** `revokePrefix`, and first the tokens whose creation path lies below it (an auth mount's logins). */
  async revokePrefixWithTokens(prefix: string, opts: { force?: boolean } = {}): Promise<number> {
    const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
    const tokens = tokensUnder(this.host.tokens, folder);
    for (const token of tokens) await this.host.tokens.revokeTree(token);
    return tokens.length + (await this.revokePrefix(folder, opts));
  }

  private async revokeEntry(entry: LeaseEntry, force: boolean): Promise<void> {
    if (!force) {
      const { route, leaseType } = this.backendOf(entry);
      try {
        await leaseType.revoke(route.base, this.leaseInfo(entry));
      } catch (err) {
        throw invalidRequest(`failed to revoke lease ${entry.leaseId}: ${messageOf(err)}`);
      }
    }
    const ops = [{ kind: 'delete' as const, key: `id/${entry.leaseId}` }];
    if (entry.tokenHash) ops.push({ kind: 'delete', key: `token/${entry.tokenHash}/${leaseKey(entry.leaseId)}` });
    await applyOps(this.storage, ops);
    this.queue.cancel(LEASE + entry.leaseId);
  }

  private backendOf(entry: LeaseEntry): { route: Route; leaseType: LeaseType } {
    const route = this.host.routeByMountUuid(entry.mountUuid);
    const leaseType = route?.backend.secrets?.find((t) => t.type === entry.type);
    if (!route || !leaseType) throw invalidRequest(`the mount that issued lease ${entry.leaseId} no longer serves it`);
    return { route, leaseType };
  }

  private leaseInfo(entry: LeaseEntry) {
    return { leaseId: entry.leaseId, internalData: entry.internalData, issueTime: entry.issueTime, expireTime: entry.expireTime };
  }

  private async onDue(key: string): Promise<void> {
    if (this.stopped) return;
    if (key.startsWith(TOKEN)) {
      await this.host.tokens.revokeIfExpired(key.slice(TOKEN.length)).catch((err: unknown) => {
        this.host.logger.error('revoking an expired token failed', { error: messageOf(err) });
      });
      return;
    }
    const leaseId = key.slice(LEASE.length);
    const entry = await this.read(leaseId);
    if (!entry || entry.irrevocable) return;
    if (entry.expireTime > this.host.clock()) {
      this.queue.schedule(key, entry.expireTime); // renewed since this timer was set
      return;
    }
    try {
      await this.revoke(leaseId);
    } catch (err) {
      await this.recordFailure(entry, err);
    }
  }

  /** A failed revocation is retried with backoff; after `maxAttempts` the lease is kept as irrevocable. */
  private async recordFailure(entry: LeaseEntry, err: unknown): Promise<void> {
    if (this.stopped) return;
    const attempts = entry.revokeAttempts + 1;
    const irrevocable = attempts >= this.retry.maxAttempts;
    const next: LeaseEntry = { ...entry, revokeAttempts: attempts, irrevocable, lastError: messageOf(err) };
    await putJson(this.storage, `id/${entry.leaseId}`, next);
    if (irrevocable) {
      this.queue.cancel(LEASE + entry.leaseId);
      this.host.logger.error('lease marked irrevocable after repeated revocation failures', { lease_id: entry.leaseId, attempts, error: next.lastError });
      return;
    }
    const delay = Math.min(this.retry.baseMs * 2 ** (attempts - 1), this.retry.capMs);
    this.host.logger.warn('lease revocation failed; retrying', { lease_id: entry.leaseId, attempts, retry_in_ms: delay });
    this.queue.schedule(LEASE + entry.leaseId, this.host.clock() + delay);
  }

  private async restore(): Promise<number> {
    await this.host.tokens.load();
    let count = 0;
    let batch: string[] = [];
    const flush = async () => {
      const entries = await Promise.all(batch.map((id) => this.read(id)));
      for (const e of entries) {
        if (e && !e.irrevocable && !this.queue.when(LEASE + e.leaseId)) this.queue.schedule(LEASE + e.leaseId, e.expireTime);
      }
      count += batch.length;
      batch = [];
    };
    for await (const leaseId of walkLeaseIds(this.storage, '')) {
      if (this.stopped) return count;
      batch.push(leaseId);
      if (batch.length >= RESTORE_BATCH) await flush();
    }
    await flush();
    return count;
  }
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
