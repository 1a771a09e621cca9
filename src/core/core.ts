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
import type { KeyProvider } from '../seal/auto-unseal.js';
import { Seal, type InitParams } from '../seal/seal.js';
import { AuditBroker } from './audit/audit-broker.js';
import { CLOSE_SEALED, EventBus } from './events/bus.js';
import { ExpirationManager, type RetryPolicy } from './expiration/expiration-manager.js';
import { AuditManager, type AuditManagerOptions } from './audit/audit-manager.js';
import { lockoutSettings } from './lockout/lockout-settings.js';
import { UserLockoutRegistry } from './lockout/user-lockout.js';
import { handleRequest } from './handle.js';
import { deriveForwardingKey } from './ha/forwarding.js';
import { HaManager, type HaTiming } from './ha/ha-manager.js';
import { isHaCapable } from '../physical/ha-lock.js';
import { MountManager } from './mount-manager.js';
import { startPeriodic } from './periodic.js';
import { PasswordPolicyStore } from './password-policy/password-policy-store.js';
import { PolicyStore } from './policy-store.js';
import { Router } from './router.js';
import { createIdentityBackend } from './identity/identity-backend.js';
import { effectivePolicies } from './identity/effective-policies.js';
import { IdentityStore } from './identity/identity-store.js';
import { entityForLogin } from './identity/login-identity.js';
import { LoginMfa } from './identity/mfa/login-mfa.js';
import { MfaStore } from './identity/mfa/mfa-store.js';
import { routedPathOf } from './mount-manager.js';
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
  /** Auto-unseal: the key provider of `seal "transit"`. */
  sealProvider?: KeyProvider;
  /** How failed lease revocations are retried (tests shorten it). */
  leaseRetry?: RetryPolicy;
  /** The server's audit settings (audit-manager.ts). Defaults: API creation on, prefixes off, no stanzas, no protected directories. */
  audit?: Partial<Pick<AuditManagerOptions, 'allowApiCreation' | 'allowPrefixing' | 'configured' | 'protectedDirs'>>;
  /**
   * Set when the storage has `ha_enabled`: `cluster_addr`, and the lock timing. The address
   * this node advertises to the others is `apiAddr`, read when the node starts competing, so
   * the server may fill in its listener's address after listening.
   */
  ha?: { clusterAddr: string; timing?: HaTiming };
}

const DEFAULT_TTL = 32 * 24 * 3600;

export class Core {
  readonly physical: PhysicalBackend;
  readonly barrier: Barrier;
  readonly seal: Seal;
  readonly router = new Router();
  readonly logger: Logger;
  readonly registry: BackendRegistry;
  readonly system: { defaultLeaseTtl: number; maxLeaseTtl: number };
  readonly clock: () => number;
  readonly options: CoreOptions;
  readonly mounts: MountManager;
  readonly audit: AuditBroker;
  /** Change notifications from engines to sys/events/subscribe streams. */
  readonly events: EventBus;
  /** The audit device table and request-header settings behind the broker. */
  readonly auditDevices: AuditManager;
  /** Answers the seal paths while nothing above the barrier is readable. */
  readonly sealedSystemBackend: Backend;
  /** The address clients reach this server at (api_addr, else the first listener's): default OIDC issuers. */
  apiAddr = '';
  policies!: PolicyStore;
  passwordPolicies!: PasswordPolicyStore;
  tokens!: TokenStore;
  expiration!: ExpirationManager;
  lockout!: UserLockoutRegistry;
  identity!: IdentityStore;
  /** Login MFA: TOTP methods, enforcements, entities' secrets; and the logins waiting on them. */
  mfa!: MfaStore;
  loginMfa!: LoginMfa;
  private stopPeriodic: (() => void) | undefined;
  /** HA mode: this node's part in the election; undefined without ha_enabled or before the first unseal. */
  ha: HaManager | undefined;
  /** HA mode: authenticates the client address a standby passes on (ha/forwarding.ts); held while unsealed. */
  forwardingKey: Buffer | undefined;
  private initializing = false;
  clusterName = '';
  clusterId = '';
  private loaded = false;

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
    this.seal = new Seal({ physical: this.physical, barrier: this.barrier, provider: options.sealProvider, onUnsealed: () => this.postUnseal() });
    this.mounts = new MountManager(this);
    this.audit = new AuditBroker(this.logger.named('audit'));
    this.events = new EventBus(this.logger.named('events'), this.clock);
    this.auditDevices = new AuditManager({
      storage: this.barrier,
      broker: this.audit,
      logger: this.logger.named('audit'),
      allowApiCreation: true,
      allowPrefixing: false,
      configured: [],
      protectedDirs: [],
      ...options.audit,
    });
    this.sealedSystemBackend = createSystemBackend(this);
  }

  /**
   * Sealed until everything above the barrier is loaded: a request that arrived while
   * postUnseal was still loading would find no routes, and no audit devices to record it.
   */
  get sealed(): boolean {
    return this.barrier.sealed || (!this.loaded && !this.ha?.isRunning);
  }

  async isInitialized(): Promise<boolean> {
    return this.seal.isInitialized();
  }

  handle(req: Request): Promise<Response> {
    return handleRequest(this, req);
  }

  /**
   * sys/init: split the unseal key (or, with auto-unseal, the recovery key), then unseal once
   * inside to write the first mount tables, default policy and root token. A Shamir server is
   * sealed again, as Vault does; an auto-unseal server stays unsealed.
   */
  async initialize(params: InitParams): Promise<{ keys: Buffer[]; recoveryKeys: Buffer[]; rootToken: string }> {
    const { keys, recoveryKeys } = await this.seal.init(params);
    // Loaded here whatever the HA mode: the first tables and the root token are written now.
    this.initializing = true;
    try {
      if (recoveryKeys.length > 0) {
        await this.seal.autoUnseal();
        const { token } = await this.createRootToken();
        if (this.haEnabled) {
          this.dropUnsealedState();
          this.startHa();
        }
        return { keys, recoveryKeys, rootToken: token };
      }
      for (const key of keys.slice(0, params.secretThreshold)) await this.seal.submitUnsealKey(key);
      const { token } = await this.createRootToken();
      await this.sealVault();
      return { keys, recoveryKeys, rootToken: token };
    } finally {
      this.initializing = false;
    }
  }

  async createRootToken(id?: string): Promise<{ token: string; entry: TokenEntry }> {
    return this.tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', ttl: 0, id, orphan: true });
  }

  /**
   * Runs once the barrier opens. When it fails (say, an audit stanza that changed) the seal
   * closes the barrier again, and what was loaded above it goes too: no engine keeps
   * decrypted state while sealed.
   */
  private postUnseal(): Promise<void> {
    if (this.haEnabled && !this.initializing) {
      this.startHa();
      return Promise.resolve();
    }
    return this.postUnsealLoad();
  }

  /** Loads everything above the barrier and builds the routes. */

  private async loadUnsealed(): Promise<void> {
    this.loaded = false;
    const salt = await this.loadOrCreate('core/token-salt', () => randomBytes(32));
    this.policies = new PolicyStore(this.barrier, (entityId) => this.identity.templateFacts(entityId));
    this.passwordPolicies = new PasswordPolicyStore(storageView(this.barrier, 'sys/password_policy/'));
    this.tokens = new TokenStore({
      storage: storageView(this.barrier, 'sys/token/'),
      salt,
      clock: this.clock,
      onRevoke: (entry) => this.onTokenRevoked(entry),
      onExpiry: (hashedId, at) => this.expiration.scheduleToken(hashedId, at),
      identityPolicies: (entityId) => this.identity.policiesOf(entityId),
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
    for (const { name, error } of (await this.policies.load()).unreadable) {
      this.logger.error('a stored policy no longer parses and grants nothing until it is written again', { policy: name, error });
    }
    this.lockout = new UserLockoutRegistry(
      storageView(this.barrier, 'sys/locked-users/'),
      this.clock,
      (accessor) => {
        const entry = this.mounts.list('auth').find((e) => e.accessor === accessor);
        return entry ? lockoutSettings(entry.config.user_lockout_config) : undefined;
      },
      this.logger.named('lockout'),
    );
    await this.lockout.load();
    this.identity = new IdentityStore({
      storage: storageView(this.barrier, 'sys/identity/'),
      mountByAccessor: (accessor) => {
        const entry = this.mounts.list('auth').find((e) => e.accessor === accessor) ?? this.mounts.list('mounts').find((e) => e.accessor === accessor);
        return entry ? { path: routedPathOf(entry), type: entry.type } : undefined;
      },
      clock: this.clock,
      logger: this.logger.named('identity'),
    });
    await this.identity.load();
    this.mfa = new MfaStore(storageView(this.barrier, 'sys/identity/mfa/'), this.clock);
    await this.mfa.load();
    this.loginMfa = new LoginMfa(this.mfa, this.identity);
    await this.mounts.load();
    // Before the first request is served: from here on every request is audited.
    await this.auditDevices.load();
    this.loaded = true;
    this.expiration.startRestore();
    for (const route of this.router.all()) this.mounts.initializeRoute(route);
    this.stopPeriodic = startPeriodic(this.router, this.logger);
    this.logger.info('unsealed');
  }

  /** `ha_enabled` storage and a server that asked for HA: nodes elect the active one. */
  get haEnabled(): boolean {
    return this.options.ha !== undefined && isHaCapable(this.physical);
  }

  /** Unsealed in HA mode: a standby that competes for the lock; loads everything once it holds it. */
  private startHa(): void {
    if (!this.ha && isHaCapable(this.physical)) {
      const { clusterAddr, timing } = this.options.ha!;
      const lock = this.physical.haLock({ hostname: '', apiAddr: this.apiAddr, clusterAddr }, () => this.ha?.fenced());
      this.ha = new HaManager(
        lock,
        {
          becomeActive: () => this.becomeActive(),
          becomeStandby: () => this.dropUnsealedState(),
        },
        this.logger.named('ha'),
        timing,
      );
    }
    const rootKey = this.barrier.getRootKey();
    this.forwardingKey = deriveForwardingKey(rootKey);
    rootKey.fill(0);
    this.ha?.start();
  }

  /** The previous active may have rotated the keyring and changed anything: read it all again. */
  private async becomeActive(): Promise<void> {
    try {
      await this.barrier.reloadKeyring();
    } catch (err) {
      // This node's root key no longer opens the keyring (rekeyed elsewhere): it cannot serve.
      if (/root key/.test(err instanceof Error ? err.message : '')) void this.sealVault();
      throw err;
    }
    await this.postUnsealLoad();
  }

  private postUnsealLoad(): Promise<void> {
    return this.loadUnsealed().catch((err: unknown) => {
      this.dropUnsealedState();
      throw err;
    });
  }

  /** Server shutdown in HA mode: give the lock up so another node takes over at once. */
  async closeHa(): Promise<void> {
    await this.ha?.close();
  }

  /** Seal: close the barrier (zeroing key material) and drop every cache above it. */
  async sealVault(): Promise<void> {
    await this.ha?.stop();
    this.forwardingKey?.fill(0);
    this.forwardingKey = undefined;
    this.dropUnsealedState();
    await this.seal.seal();
    this.logger.info('sealed');
  }

  private dropUnsealedState(): void {
    // Subscribers were authorized by tokens and policies that are about to be dropped.
    this.events.closeAll(CLOSE_SEALED.code, CLOSE_SEALED.reason);
    this.stopPeriodic?.();
    this.stopPeriodic = undefined;
    this.expiration?.stop();
    this.loaded = false;
    // Devices close once the requests in flight (this seal among them) have their response entries.
    this.auditDevices.unload();
    for (const route of this.router.all()) route.backend.forget?.();
    this.router.clear();
    this.tokens?.wipe();
    this.policies?.clear();
    this.passwordPolicies?.clear();
    this.lockout?.clear();
    this.identity?.clear();
    this.mfa?.clear();
    this.loginMfa?.clear();
    this.mounts.clear();
  }

  /** SIGHUP: audit files are closed and opened again (log rotation). Failures are logged and returned. */
  reopenAuditDevices(): Promise<{ path: string; error: string }[]> {
    return this.auditDevices.reopen();
  }

  /** Server shutdown: no more entries; waits until every audit device has flushed and closed. */
  async closeAudit(): Promise<void> {
    this.auditDevices.unload();
    await this.audit.closed();
  }

  /** Backends built by core itself: the system backend and the token method. */
  builtinBackend(type: string): Backend | undefined {
    if (type === 'system') return createSystemBackend(this);
    if (type === 'identity') return createIdentityBackend(this.identity, this.mfa, () => this.apiAddr);
    if (type === 'token') {
      return createTokenBackend(this.tokens, {
        policyExists: async (name: string) => this.policies.has(name),
        callerHasSudo: async (ctx) => !!ctx.caller && this.policies.aclFor(ctx.caller.policies, ctx.caller.entityId).check({ path: ctx.req.path, operation: ctx.req.operation }).rootPrivs,
        checkRenewal: (entry, req) => this.checkLoginRenewal(entry, req),
        entityForAlias: (mountAccessor, name) => entityForLogin(this.identity, { mountAccessor, name }),
      });
    }
    return undefined;
  }

  /** What a token's requests are checked against: its policies and its entity's. 403 for a disabled entity. */
  policiesFor(tokenPolicies: string[], entityId: string): string[] {
    return effectivePolicies(this.identity, tokenPolicies, entityId);
  }

  /** A login token is renewed only if the method that issued it still agrees (user or role still there). */
  private async checkLoginRenewal(entry: TokenEntry, req?: Request): Promise<void> {
    if (!entry.path.startsWith('auth/')) return;
    const match = this.router.match(entry.path);
    const renewLogin = match?.route.backend.renewLogin;
    if (!match || !renewLogin || match.route.entry.table !== 'auth') return;
    await renewLogin(match.route.base, { relPath: match.relPath, meta: entry.meta, policies: entry.policies, internalData: entry.internalData ?? {}, req });
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
