/**
 * The Core: seal state, mount tables and router, token store, policy store. It owns the
 * lifecycle (init, unseal, seal) and hands every request to the pipeline in handle.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Barrier } from '../barrier/barrier.js';
import type { Backend } from '../framework/backend.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { Request, Response } from '../logical/request.js';
import { clearPrefix, storageView } from '../logical/storage.js';
import type { PhysicalBackend } from '../physical/types.js';
import { ShamirSeal } from '../seal/shamir-seal.js';
import { AuditBroker } from './audit/audit-broker.js';
import { ExpirationManager, type RetryPolicy } from './expiration/expiration-manager.js';
import { handleRequest } from './handle.js';
import { MountManager } from './mount-manager.js';
import { startPeriodic } from './periodic.js';
import { PolicyStore } from './policy-store.js';
import { Router } from './router.js';
import { createSystemBackend } from './system/system-backend.js';
import { createTokenBackend } from './token/token-backend.js';
import { TokenStore } from './token/token-store.js';
import type { TokenEntry } from './token/token-entry.js';

/** Builds a mount's backend; the mount's options can shape its path table (kv version 1 or 2). */
export type BackendFactory = (mount: { options: Record<string, string> }) => Backend;

/** Every engine and auth method, by type name; built outside core (src/registry.ts). */
export interface BackendRegistry {
  secrets: Record<string, BackendFactory>;
  auth: Record<string, BackendFactory>;
}

export interface CoreOptions {
  physical: PhysicalBackend;
  registry: BackendRegistry;
  logger?: Logger;
  /** seconds */
  defaultLeaseTtl?: number;
  maxLeaseTtl?: number;
  /** Mounts added on first unseal of a fresh store (dev mode: `secret/` as kv-v2). */
  extraDefaultMounts?: { path: string; type: string; description: string; options?: Record<string, string> }[];
  clock?: () => number;
  /** How failed lease revocations are retried (tests shorten it). */
  leaseRetry?: RetryPolicy;
}

const DEFAULT_TTL = 32 * 24 * 3600;

export class Core {
  readonly physical: PhysicalBackend;
  readonly barrier: Barrier;
  readonly seal: ShamirSeal;
  readonly router = new Router();
  readonly logger: Logger;
  readonly registry: BackendRegistry;
  readonly system: { defaultLeaseTtl: number; maxLeaseTtl: number };
  readonly clock: () => number;
  readonly options: CoreOptions;
  readonly mounts: MountManager;
  readonly audit = new AuditBroker();
  /** Answers the seal paths while nothing above the barrier is readable. */
  readonly sealedSystemBackend: Backend;
  policies!: PolicyStore;
  tokens!: TokenStore;
  expiration!: ExpirationManager;
  private stopPeriodic: (() => void) | undefined;
  clusterName = '';
  clusterId = '';

  constructor(options: CoreOptions) {
    this.options = options;
    this.physical = options.physical;
    this.registry = options.registry;
    this.logger = options.logger ?? createLogger({ name: 'core' });
    this.clock = options.clock ?? Date.now;
    this.system = {
      defaultLeaseTtl: options.defaultLeaseTtl || DEFAULT_TTL,
      maxLeaseTtl: options.maxLeaseTtl || DEFAULT_TTL,
    };
    this.barrier = new Barrier(this.physical);
    this.seal = new ShamirSeal({ physical: this.physical, barrier: this.barrier, onUnsealed: () => this.postUnseal() });
    this.mounts = new MountManager(this);
    this.sealedSystemBackend = createSystemBackend(this);
  }

  get sealed(): boolean {
    return this.barrier.sealed;
  }

  async isInitialized(): Promise<boolean> {
    return this.seal.isInitialized();
  }

  handle(req: Request): Promise<Response> {
    return handleRequest(this, req);
  }

  /**
   * sys/init: split the unseal key, then unseal once inside to write the first mount
   * tables, default policy and root token, and seal again, as Vault does.
   */
  async initialize(params: { secretShares: number; secretThreshold: number }): Promise<{ keys: Buffer[]; rootToken: string }> {
    const { keys } = await this.seal.init(params);
    for (const key of keys.slice(0, params.secretThreshold)) await this.seal.submitUnsealKey(key);
    const { token } = await this.createRootToken();
    await this.sealVault();
    return { keys, rootToken: token };
  }

  async createRootToken(id?: string): Promise<{ token: string; entry: TokenEntry }> {
    return this.tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', ttl: 0, id, orphan: true });
  }

  /** Runs once the barrier opens: loads everything above it and builds the routes. */
  private async postUnseal(): Promise<void> {
    const salt = await this.loadOrCreate('core/token-salt', () => randomBytes(32));
    this.policies = new PolicyStore(this.barrier);
    this.tokens = new TokenStore({
      storage: storageView(this.barrier, 'sys/token/'),
      salt,
      clock: this.clock,
      onRevoke: (entry) => this.onTokenRevoked(entry),
      onExpiry: (hashedId, at) => this.expiration.scheduleToken(hashedId, at),
      logger: this.logger.named('token'),
    });
    this.expiration = new ExpirationManager({
      storage: storageView(this.barrier, 'sys/expire/'),
      tokens: this.tokens,
      routeByMountUuid: (uuid) => this.router.all().find((r) => r.entry.uuid === uuid),
      logger: this.logger.named('expiration'),
      clock: this.clock,
      retry: this.options.leaseRetry,
    });
    salt.fill(0);
    const cluster = await this.loadOrCreate('core/cluster-info', () =>
      Buffer.from(JSON.stringify({ name: `coffer-cluster-${randomBytes(4).toString('hex')}`, id: randomUUID() })),
    );
    ({ name: this.clusterName, id: this.clusterId } = JSON.parse(cluster.toString('utf8')) as { name: string; id: string });
    await this.policies.load();
    await this.mounts.load();
    this.expiration.startRestore();
    this.stopPeriodic = startPeriodic(this.router, this.logger);
    this.logger.info('unsealed');
  }

  /** Seal: close the barrier (zeroing key material) and drop every cache above it. */
  async sealVault(): Promise<void> {
    this.stopPeriodic?.();
    this.expiration?.stop();
    for (const route of this.router.all()) route.backend.onSeal?.();
    this.router.clear();
    this.tokens?.wipe();
    this.policies?.clear();
    this.mounts.clear();
    await this.seal.seal();
    this.logger.info('sealed');
  }

  /** Backends built by core itself: the system backend and the token method. */
  builtinBackend(type: string): Backend | undefined {
    if (type === 'system') return createSystemBackend(this);
    if (type === 'token') {
      return createTokenBackend(this.tokens, {
        policyExists: async (name: string) => this.policies.has(name),
        callerHasSudo: async (ctx) => !!ctx.caller && this.policies.aclFor(ctx.caller.policies).check({ path: ctx.req.path, operation: ctx.req.operation }).rootPrivs,
      });
    }
    return undefined;
  }

  /** A token's leases and private storage go with it. */
  private async onTokenRevoked(entry: TokenEntry): Promise<void> {
    await this.expiration.revokeByToken(entry.hashedId);
    const cubbyhole = this.router.get('cubbyhole/');
    if (cubbyhole && entry.cubbyholeId) await clearPrefix(cubbyhole.storage, `${entry.cubbyholeId}/`);
  }

  private async loadOrCreate(key: string, make: () => Buffer): Promise<Buffer> {
    const existing = await this.barrier.get(key);
    if (existing) return existing;
    const value = make();
    await this.barrier.put(key, value);
    return Buffer.from(value);
  }

}
