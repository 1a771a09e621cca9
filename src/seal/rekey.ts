/**
 * Rekey (Vault's sys/rekey): a threshold of CURRENT shares authorizes a new unseal key split
 * into a new set of shares. The root key, and so the barrier keyring, are unchanged; only
 * the wrapping of the root key and the seal config are replaced, in one transaction.
 *
 * With require_verification the new shares are handed out first and installed only once a
 * threshold of them comes back through `verify`: an operator who lost or mistyped the new
 * shares has lost nothing, since the current ones keep working until then. The new key
 * waits in memory meanwhile, and is zeroed by cancel and seal.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import { ShareCollector, zeroAll } from './key-share.js';
import { combineShares, newKey, splitKek, validateShamirParams, type SealConfig, type SealContext } from './seal-store.js';

export interface RekeyInitParams {
  secretShares: number;
  secretThreshold: number;
  /** Not supported: rejected when given. */
  pgpKeys?: unknown;
  backup?: boolean;
  requireVerification?: boolean;
}

export interface RekeyStatus {
  nonce: string;
  started: boolean;
  /** The NEW threshold and share count (0 when no rekey is running). */
  t: number;
  n: number;
  progress: number;
  /** How many CURRENT shares are needed. */
  required: number;
  pgp_fingerprints: null;
  backup: false;
  verification_required: boolean;
  /** Only once the new shares were handed out and wait for verification (as Vault). */
  verification_nonce?: string;
}

/** sys/rekey/verify's status: t and n are the NEW shares', progress counts new shares. */
export interface RekeyVerifyStatus {
  nonce: string;
  started: boolean;
  t: number;
  n: number;
  progress: number;
}

export type RekeyUpdateResult =
  | { complete: false; status: RekeyStatus }
  | {
      complete: true;
      nonce: string;
      /** The new shares; the caller hands them out and may zero them afterwards. */
      keys: Buffer[];
      pgp_fingerprints: null;
      backup: false;
      verification_required: boolean;
      verification_nonce?: string;
    };

export type RekeyVerifyResult = { complete: false; status: RekeyVerifyStatus } | { complete: true; nonce: string };

interface Verification {
  nonce: string;
  /** The new unseal (or recovery) key the new shares must rebuild. */
  secret: Buffer;
  shares: ShareCollector;
}

interface Attempt {
  nonce: string;
  next: SealConfig;
  requireVerification: boolean;
  shares: ShareCollector;
  verification: Verification | null;
}

export class Rekey {
  private attempt: Attempt | null = null;

  constructor(private readonly ctx: SealContext) {}

  async init(params: RekeyInitParams): Promise<RekeyStatus> {
    this.ctx.requireUnsealed();
    if (params.pgpKeys !== undefined && params.pgpKeys !== null) throw invalidRequest('PGP keys are not supported: pgp_keys cannot be used');
    if (params.backup === true) throw invalidRequest('backup needs pgp_keys, and PGP keys are not supported');
    const current = await this.ctx.requireConfig();
    if (this.attempt !== null) throw invalidRequest('a rekey is already in progress; cancel it first');
    const next = validateShamirParams(params.secretShares, params.secretThreshold, current.type);
    const requireVerification = params.requireVerification === true;
    this.attempt = { nonce: randomUUID(), next, requireVerification, shares: new ShareCollector(), verification: null };
    return this.statusFor(current);
  }

  async update(key: Buffer, nonce: string): Promise<RekeyUpdateResult> {
    this.ctx.requireUnsealed();
    const a = this.attempt;
    if (a === null) throw invalidRequest('no rekey is in progress');
    if (a.verification !== null) {
      throw invalidRequest(`this rekey already has its new shares and waits for them on the verify path (verification nonce ${a.verification.nonce})`);
    }
    if (typeof nonce !== 'string' || nonce !== a.nonce) throw invalidRequest('nonce does not match the rekey operation in progress');
    const current = await this.ctx.requireConfig();
    if (this.attempt !== a) throw invalidRequest('the rekey was cancelled');
    a.shares.add(key, current.secret_shares);
    if (a.shares.progress < current.secret_threshold) return { complete: false, status: this.statusFor(current) };

    // Vault keeps the operation (nonce, new parameters) on bad shares but restarts the count.
    const scheme = this.ctx.scheme(current);
    const rootKey = await scheme.recover(a.shares.take(), current);
    if (rootKey === null) {
      throw invalidRequest('rekey failed: the key shares did not reconstruct the unseal key; the keys may be wrong. Progress has been reset');
    }
    const secret = newKey();
    let keys: Buffer[] = [];
    try {
      if (this.attempt !== a) throw invalidRequest('the rekey was cancelled');
      keys = await splitKek(secret, a.next);
      if (a.requireVerification) {
        a.verification = { nonce: randomUUID(), secret: Buffer.from(secret), shares: new ShareCollector() };
        return this.done(a, keys);
      }
      await scheme.install(a.next, secret, rootKey);
    } catch (e) {
      zeroAll(keys);
      throw e;
    } finally {
      rootKey.fill(0);
      secret.fill(0);
    }
    this.attempt = null;
    this.ctx.configChanged(a.next);
    return this.done(a, keys);
  }

  /** Takes one NEW share; at the new threshold, installs the new key if the shares rebuild it. */
  async verify(key: Buffer, nonce: string): Promise<RekeyVerifyResult> {
    this.ctx.requireUnsealed();
    const a = this.attempt;
    if (a === null) throw invalidRequest('no rekey is in progress');
    const v = a.verification;
    if (v === null) throw invalidRequest('no rekey verification is in progress: the rekey has not reached its threshold of current shares');
    if (typeof nonce !== 'string' || nonce !== v.nonce) throw invalidRequest('nonce does not match the rekey verification in progress');
    v.shares.add(key, a.next.secret_shares);
    if (v.shares.progress < a.next.secret_threshold) return { complete: false, status: this.verifyStatus() };

    const given = v.shares.take();
    let rebuilt: Buffer | null;
    try {
      rebuilt = await combineShares(given, a.next);
    } finally {
      zeroAll(given);
    }
    const match = rebuilt !== null && rebuilt.length === v.secret.length && timingSafeEqual(rebuilt, v.secret);
    rebuilt?.fill(0);
    if (this.attempt !== a || a.verification !== v) throw invalidRequest('the rekey was cancelled');
    if (!match) {
      // As Vault: a new nonce, so shares sent for the failed round cannot count toward the next.
      v.nonce = randomUUID();
      throw invalidRequest('rekey verification failed: the shares given are not the new ones. Progress has been reset and the verification nonce changed');
    }
    const current = await this.ctx.requireConfig();
    // Copies: a seal during the install zeroes the attempt's key, not the one being written.
    const secret = Buffer.from(v.secret);
    const rootKey = this.ctx.rootKey();
    try {
      await this.ctx.scheme(current).install(a.next, secret, rootKey);
    } finally {
      rootKey.fill(0);
      secret.fill(0);
    }
    if (this.attempt === a) this.cancel();
    this.ctx.configChanged(a.next);
    return { complete: true, nonce: v.nonce };
  }

  /** Forgets the new shares given so far and changes the verification nonce; the new key stays. */
  restartVerification(): RekeyVerifyStatus {
    const v = this.attempt?.verification;
    if (v) {
      v.shares.reset();
      v.nonce = randomUUID();
    }
    return this.verifyStatus();
  }

  verifyStatus(): RekeyVerifyStatus {
    this.ctx.requireUnsealed();
    const a = this.attempt;
    if (a === null) throw invalidRequest('no rekey is in progress');
    const v = a.verification;
    return { nonce: v?.nonce ?? '', started: v !== null, t: a.next.secret_threshold, n: a.next.secret_shares, progress: v?.shares.progress ?? 0 };
  }

  cancel(): void {
    const a = this.attempt;
    this.attempt = null;
    a?.shares.reset();
    a?.verification?.shares.reset();
    a?.verification?.secret.fill(0);
  }

  status(): RekeyStatus {
    this.ctx.requireUnsealed();
    return this.statusFor(this.ctx.cachedConfig());
  }

  private done(a: Attempt, keys: Buffer[]): RekeyUpdateResult {
    const v = a.verification;
    return {
      complete: true,
      nonce: a.nonce,
      keys,
      pgp_fingerprints: null,
      backup: false,
      verification_required: a.requireVerification,
      ...(v ? { verification_nonce: v.nonce } : {}),
    };
  }

  private statusFor(current: SealConfig | null): RekeyStatus {
    const a = this.attempt;
    const v = a?.verification;
    return {
      nonce: a?.nonce ?? '',
      started: a !== null,
      t: a?.next.secret_threshold ?? 0,
      n: a?.next.secret_shares ?? 0,
      progress: a?.shares.progress ?? 0,
      required: current?.secret_threshold ?? 0,
      pgp_fingerprints: null,
      backup: false,
      verification_required: a?.requireVerification ?? false,
      ...(v ? { verification_nonce: v.nonce } : {}),
    };
  }
}

/**
 * The rekey as the seal hands it out: every step that reads state, awaits and writes runs
 * in the seal's one line of operations, cancel included, so a cancel that answered can
 * never be followed by a completion that was already running.
 */
export function serializedRekey(op: Rekey, serial: <T>(fn: () => Promise<T>) => Promise<T>) {
  return {
    init: (params: RekeyInitParams) => serial(() => op.init(params)),
    update: (key: Buffer, nonce: string) => serial(() => op.update(key, nonce)),
    verify: (key: Buffer, nonce: string) => serial(() => op.verify(key, nonce)),
    restartVerification: () => serial(async () => op.restartVerification()),
    cancel: () => serial(async () => op.cancel()),
    status: () => op.status(),
    verifyStatus: () => op.verifyStatus(),
  };
}

export type RekeyApi = ReturnType<typeof serializedRekey>;
