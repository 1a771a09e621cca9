/**
 * Rekey (Vault's sys/rekey): a threshold of CURRENT shares authorizes a new unseal key split
 * into a new set of shares. The root key, and so the barrier keyring, are unchanged; only
 * the wrapping of the root key and the seal config are replaced, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import { ShareCollector } from './key-share.js';
import { validateShamirParams, type SealConfig, type SealContext } from './seal-store.js';

export interface RekeyInitParams {
  secretShares: number;
  secretThreshold: number;
  /** Not supported yet: rejected when given. */
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
  verification_required: false;
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
      verification_required: false;
    };

interface Attempt {
  nonce: string;
  next: SealConfig;
  shares: ShareCollector;
}

export class Rekey {
  private attempt: Attempt | null = null;

  constructor(private readonly ctx: SealContext) {}

  async init(params: RekeyInitParams): Promise<RekeyStatus> {
    this.ctx.requireUnsealed();
    if (params.pgpKeys !== undefined && params.pgpKeys !== null) {
      throw invalidRequest('pgp_keys is not supported yet');
    }
    if (params.backup === true) throw invalidRequest('backup is not supported without pgp_keys');
    if (params.requireVerification === true) throw invalidRequest('require_verification is not supported yet');
    const current = await this.ctx.requireConfig();
    if (this.attempt !== null) throw invalidRequest('a rekey is already in progress; cancel it first');
    const next = validateShamirParams(params.secretShares, params.secretThreshold, current.type);
    this.attempt = { nonce: randomUUID(), next, shares: new ShareCollector() };
    return this.statusFor(current);
  }

  async update(key: Buffer, nonce: string): Promise<RekeyUpdateResult> {
    this.ctx.requireUnsealed();
    const a = this.attempt;
    if (a === null) throw invalidRequest('no rekey is in progress');
    if (typeof nonce !== 'string' || nonce !== a.nonce) {
      throw invalidRequest('nonce does not match the rekey operation in progress');
    }
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
    let keys: Buffer[];
    try {
      if (this.attempt !== a) throw invalidRequest('the rekey was cancelled');
      keys = await scheme.install(a.next, rootKey);
    } finally {
      rootKey.fill(0);
    }
    this.attempt = null;
    this.ctx.configChanged(a.next);
    return { complete: true, nonce: a.nonce, keys, pgp_fingerprints: null, backup: false, verification_required: false };
  }

  cancel(): void {
    this.attempt?.shares.reset();
    this.attempt = null;
  }

  status(): RekeyStatus {
    this.ctx.requireUnsealed();
    return this.statusFor(this.ctx.cachedConfig());
  }

  private statusFor(current: SealConfig | null): RekeyStatus {
    const a = this.attempt;
    return {
      nonce: a?.nonce ?? '',
      started: a !== null,
      t: a?.next.secret_threshold ?? 0,
      n: a?.next.secret_shares ?? 0,
      progress: a?.shares.progress ?? 0,
      required: current?.secret_threshold ?? 0,
      pgp_fingerprints: null,
      backup: false,
      verification_required: false,
    };
  }
}
