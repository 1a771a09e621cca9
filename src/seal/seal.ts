/**
 * The seal: the root key is sealed by an unseal key (KEK) that exists either only as shares
 * held by operators (Shamir), or encrypted by an external key provider (auto-unseal through
 * transit, auto-unseal.ts), with operators holding recovery shares. This class carries Vault's
 * sys/init, sys/unseal, sys/seal, sys/rekey and sys/generate-root semantics; the HTTP handlers
 * translate fields and call it.
 *
 * Persisted: `core/seal-config` (plaintext JSON) and `core/root-key` (sealed by the KEK).
 * Progress (shares handed in so far, nonces, OTPs) lives in memory only and is zeroed on
 * reset, completion and seal.
 *
 * The config is also kept in memory (loaded at construction, refreshed by every async call)
 * so the status, reset and cancel calls are synchronous and cheap for the HTTP layer;
 * `ready()` waits for the first load.
 */
import { randomUUID } from 'node:crypto';
import { invalidRequest, sealedError } from '../errors.js';
import type { PhysicalBackend } from '../physical/types.js';
import type { Barrier } from '../barrier/barrier.js';
import { autoInitState, autoScheme, autoUnsealRootKey, type KeyProvider } from './auto-unseal.js';
import { ShareCollector, zeroAll } from './key-share.js';
import { shamirScheme, type ShareScheme } from './share-scheme.js';
import { GenerateRoot, completedGenerateRoot, type GenerateRootInitParams, type GenerateRootStatus } from './generate-root.js';
import { Rekey, serializedRekey, type RekeyApi } from './rekey.js';
import {
  newKey,
  readSealConfig,
  sealStateOps,
  splitKek,
  validateShamirParams,
  type SealConfig,
  type SealContext,
  type SealType,
} from './seal-store.js';

export type CreateRootToken = () => Promise<string>;

export interface SealOptions {
  /** The same backend the barrier sits on; the seal's two entries bypass the barrier. */
  physical: PhysicalBackend;
  barrier: Barrier;
  /** Mints a root token for generate-root (core owns tokens). Can also be passed per call. */
  createRootToken?: CreateRootToken;
  /**
   * Runs right after the barrier opens, inside the unseal (core loads its tables here). If it
   * throws, the barrier is sealed again and the unseal fails, as in Vault. It must not call
   * the seal's async methods (they wait for the unseal that is running it).
   */
  onUnsealed?: () => void | Promise<void>;
  /** Auto-unseal: the provider that keeps the unseal key (seal "transit" in the config). */
  provider?: KeyProvider;
}

export interface InitParams {
  /** Shamir: the unseal key's split. Ignored with an auto-unseal provider, as in Vault. */
  secretShares: number;
  secretThreshold: number;
  /** Auto-unseal: the recovery key's split (Vault's defaults: 5 shares, threshold 3). */
  recoveryShares?: number;
  recoveryThreshold?: number;
  /** Not supported yet: rejected when given. */
  pgpKeys?: unknown;
}

export interface InitResult {
  /** The unseal key shares, to hand out once (none with auto-unseal). The root key is never exposed. */
  keys: Buffer[];
  /** Auto-unseal: the recovery key shares. */
  recoveryKeys: Buffer[];
}

export interface UnsealStatus {
  type: SealType;
  /** True with auto-unseal: t and n are the recovery key's threshold and shares. */
  recoverySeal: boolean;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  /** Identifies the running unseal attempt; '' when none is running. */
  nonce: string;
}

export class Seal {
  private readonly provider: KeyProvider | undefined;
  private readonly physical: PhysicalBackend;
  private readonly barrier: Barrier;
  private readonly createRootToken: CreateRootToken | undefined;
  private readonly onUnsealed: (() => void | Promise<void>) | undefined;
  private config: SealConfig | null = null;
  private initialized = false;
  // Bumped when init or rekey installs a config, so a refresh that read storage before the
  // write cannot put the older answer back into the cache.
  private configWrites = 0;
  private readonly loading: Promise<void>;
  private readonly unsealShares = new ShareCollector();
  private unsealNonce = '';
  private readonly rekeyOp: Rekey;
  /** sys/rekey, sys/rekey-recovery-key and their verification (rekey.ts). */
  readonly rekey: RekeyApi;
  private readonly generateRootOp: GenerateRoot;
  // Operations that read state, await storage and then write state run one at a time, so two
  // requests cannot both see the threshold reached or both start an attempt.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(options: SealOptions) {
    this.physical = options.physical;
    this.barrier = options.barrier;
    this.createRootToken = options.createRootToken;
    this.onUnsealed = options.onUnsealed;
    this.provider = options.provider;
    const ctx: SealContext = {
      physical: this.physical,
      requireUnsealed: () => {
        if (this.barrier.sealed) throw sealedError();
      },
      requireConfig: async () => (this.initialized && this.config !== null ? this.config : this.requireInitialized()),
      cachedConfig: () => this.config,
      rootKey: () => this.barrier.getRootKey(),
      configChanged: (config) => {
        this.config = config;
        this.configWrites++;
      },
      scheme: (config) => this.schemeFor(config),
    };
    this.rekeyOp = new Rekey(ctx);
    this.rekey = serializedRekey(this.rekeyOp, (fn) => this.serial(fn));
    this.generateRootOp = new GenerateRoot(ctx);
    this.loading = this.refresh().then(() => undefined);
    // Surfaced through ready() and the next async call; not an unhandled rejection meanwhile.
    this.loading.catch(() => undefined);
  }

  /** Resolves once the stored config has been read for the first time. */
  ready(): Promise<void> {
    return this.loading;
  }

  async isInitialized(): Promise<boolean> {
    return (await this.refresh()) !== null;
  }

  /** The stored config (re-read), or null before init. */
  async sealConfig(): Promise<SealConfig | null> {
    return this.refresh();
  }

  /**
   * Re-reads the config. The keyring is written last during init, so an init counts as done
   * only when both exist; the config of a crashed init is ignored.
   */
  private async refresh(): Promise<SealConfig | null> {
    const writes = this.configWrites;
    const config = await readSealConfig(this.physical);
    const initialized = config !== null && (await this.barrier.isInitialized());
    if (writes !== this.configWrites) return this.config;
    this.initialized = initialized;
    this.config = initialized ? config : null;
    return this.config;
  }

  private async requireInitialized(): Promise<SealConfig> {
    const config = await this.refresh();
    if (config === null) throw invalidRequest('Vault is not initialized');
    return config;
  }

  /** The seal type this server was configured with (the stored config may predate it). */
  get configuredType(): SealType {
    return this.provider?.type ?? 'shamir';
  }

  /**
   * Creates the root key and unseal key, stores them, and returns the shares: unseal shares
   * for a Shamir seal, recovery shares with auto-unseal. The barrier stays sealed.
   */
  init(params: InitParams): Promise<InitResult> {
    return this.serial(async () => {
      if (params.pgpKeys !== undefined && params.pgpKeys !== null) {
        throw invalidRequest('pgp_keys is not supported yet');
      }
      const config = this.provider
        ? validateShamirParams(params.recoveryShares ?? 5, params.recoveryThreshold ?? 3, this.provider.type)
        : validateShamirParams(params.secretShares, params.secretThreshold);
      if ((await this.refresh()) !== null) throw invalidRequest('Vault is already initialized');
      this.resetUnsealState();
      const rootKey = newKey();
      let keys: Buffer[] = [];
      try {
        let ops;
        if (this.provider) {
          ({ ops, recoveryShares: keys } = await autoInitState(this.provider, config, rootKey));
        } else {
          // Shamir: the KEK itself is what the shares split.
          const kek = newKey();
          try {
            keys = await splitKek(kek, config);
            ops = sealStateOps(config, kek, rootKey);
          } finally {
            kek.fill(0);
          }
        }
        // Seal entries first, keyring last: a crash in between leaves no keyring, so the
        // server still reads as uninitialized and init can simply run again.
        await this.physical.transaction(ops);
        await this.barrier.initialize(rootKey);
        this.config = config;
        this.initialized = true;
        this.configWrites++;
      } catch (e) {
        zeroAll(keys);
        throw e;
      } finally {
        rootKey.fill(0);
      }
      return this.provider ? { keys: [], recoveryKeys: keys } : { keys, recoveryKeys: [] };
    });
  }

  /**
   * Auto-unseal: asks the provider for the unseal key and opens the barrier, with no operator.
   * Throws (502 naming the provider) when it cannot answer; the server stays sealed.
   */
  autoUnseal(): Promise<UnsealStatus> {
    return this.serial(async () => {
      const config = await this.requireInitialized();
      if (config.type === 'shamir' || !this.provider) throw invalidRequest('this server has no auto-unseal seal configured');
      if (this.barrier.sealed) await this.openBarrier(await autoUnsealRootKey(this.physical, this.provider));
      return this.statusFor(config);
    });
  }

  /** From the cached config: call `ready()` once first, or any async method. */
  unsealStatus(): UnsealStatus {
    return this.statusFor(this.config);
  }

  /**
   * Adds one unseal share. At the threshold the shares are combined and the barrier unsealed;
   * wrong shares reset the attempt so the operator starts over. Once unsealed, further keys
   * are ignored (Vault answers with the status).
   */
  submitUnsealKey(key: Buffer): Promise<UnsealStatus> {
    return this.serial(async () => {
      const config = await this.requireInitialized();
      if (!this.barrier.sealed) return this.statusFor(config);
      this.unsealShares.add(key, config.secret_shares);
      if (this.unsealNonce === '') this.unsealNonce = randomUUID();
      if (this.unsealShares.progress < config.secret_threshold) return this.statusFor(config);

      this.unsealNonce = '';
      const rootKey = await this.schemeFor(config).recover(this.unsealShares.take(), config);
      if (rootKey === null) {
        throw invalidRequest('unseal failed: the key shares did not reconstruct the unseal key; the keys may be wrong. Progress has been reset');
      }
      await this.openBarrier(rootKey);
      return this.statusFor(config);
    });
  }

  /** Opens the barrier with `rootKey` (zeroing it) and lets core load; a failed load seals again. */
  private async openBarrier(rootKey: Buffer): Promise<void> {
    try {
      await this.barrier.unseal(rootKey);
    } finally {
      rootKey.fill(0);
    }
    if (this.onUnsealed !== undefined) {
      try {
        await this.onUnsealed();
      } catch (e) {
        this.barrier.seal();
        throw e;
      }
    }
  }

  private schemeFor(config: SealConfig): ShareScheme {
    if (config.type === 'shamir') return shamirScheme(this.physical);
    if (!this.provider) {
      throw invalidRequest(`this server was initialized with a ${config.type} seal: configure seal "${config.type}" to unseal it`);
    }
    return autoScheme(this.physical, this.provider);
  }

  /** Forgets the shares of the running attempt (immediately: nothing to wait for). */
  resetUnseal(): UnsealStatus {
    this.resetUnsealState();
    return this.unsealStatus();
  }

  /**
   * Seals now, without waiting behind other seal operations: forgets every share, OTP and
   * attempt, then zeroes the barrier's keys.
   */
  seal(): void {
    this.resetUnsealState();
    this.rekeyOp.cancel();
    this.generateRootOp.cancel();
    this.barrier.seal();
  }

  generateRootInit(params: GenerateRootInitParams = {}): Promise<GenerateRootStatus> {
    return this.serial(() => this.generateRootOp.init(params));
  }

  /**
   * Adds one share. At the threshold the new root token is minted by `createRootToken`
   * (outside the seal's lock, so the callback may call back into the seal) and returned
   * XORed with the attempt's OTP.
   */
  async generateRootUpdate(key: Buffer, nonce: string, createRootToken?: CreateRootToken): Promise<GenerateRootStatus> {
    const mint = createRootToken ?? this.createRootToken;
    if (mint === undefined) throw new Error('seal: generate-root needs a createRootToken callback');
    const step = await this.serial(() => this.generateRootOp.update(key, nonce));
    if (!step.done) return step.status;
    return completedGenerateRoot(step, await mint());
  }

  generateRootCancel(): void {
    this.generateRootOp.cancel();
  }

  generateRootStatus(): GenerateRootStatus {
    return this.generateRootOp.status();
  }

  private resetUnsealState(): void {
    this.unsealShares.reset();
    this.unsealNonce = '';
  }

  private statusFor(config: SealConfig | null): UnsealStatus {
    const sealed = this.barrier.sealed;
    const type = config?.type ?? this.configuredType;
    return {
      type,
      recoverySeal: type !== 'shamir',
      initialized: this.initialized && config !== null,
      sealed,
      t: config?.secret_threshold ?? 0,
      n: config?.secret_shares ?? 0,
      progress: sealed ? this.unsealShares.progress : 0,
      nonce: sealed ? this.unsealNonce : '',
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
