/**
 * Generate-root (Vault's sys/generate-root): a threshold of unseal shares authorizes a new
 * root token, handed back XORed with a one-time pad so only the OTP holder can read it.
 * The token itself is made by core through a callback; the seal only checks the shares.
 */
import { randomUUID } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import { ShareCollector } from './key-share.js';
import { OTP_LENGTH, encodeTokenWithOtp, generateOtp } from './otp.js';
import type { SealConfig, SealContext } from './seal-store.js';

export interface GenerateRootInitParams {
  /** An operator-chosen pad of OTP_LENGTH bytes; one is generated when absent. */
  otp?: string;
  /** Not supported yet: rejected when given. */
  pgpKey?: string;
}

export interface GenerateRootStatus {
  nonce: string;
  started: boolean;
  progress: number;
  required: number;
  complete: boolean;
  /** Only in the answer that generated it; '' otherwise (as Vault). */
  otp: string;
  otp_length: number;
  encoded_token: string;
  encoded_root_token: string;
  pgp_fingerprint: string;
}

interface Attempt {
  nonce: string;
  otp: string;
  shares: ShareCollector;
}

/** What `update` decided under the seal's lock; the token is minted after the lock is released. */
export type GenerateRootStep =
  | { done: false; status: GenerateRootStatus }
  | { done: true; nonce: string; otp: string; required: number };

export class GenerateRoot {
  private attempt: Attempt | null = null;

  constructor(private readonly ctx: SealContext) {}

  async init(params: GenerateRootInitParams = {}): Promise<GenerateRootStatus> {
    this.ctx.requireUnsealed();
    if (params.pgpKey !== undefined && params.pgpKey !== null && params.pgpKey !== '') {
      throw invalidRequest('pgp_key is not supported yet; use an OTP');
    }
    const config = await this.ctx.requireConfig();
    if (this.attempt !== null) throw invalidRequest('root generation is already in progress; cancel it first');
    const given = params.otp !== undefined && params.otp !== null && params.otp !== '';
    if (given && (typeof params.otp !== 'string' || Buffer.byteLength(params.otp, 'utf8') !== OTP_LENGTH)) {
      throw invalidRequest(`otp must be ${OTP_LENGTH} characters long`);
    }
    const otp = given ? (params.otp as string) : generateOtp();
    this.attempt = { nonce: randomUUID(), otp, shares: new ShareCollector() };
    return { ...this.statusFor(config), otp: given ? '' : otp };
  }

  /**
   * Adds one share. At the threshold the shares are verified against the stored root key and
   * the attempt ends; the caller then mints the token and encodes it with the returned OTP.
   */
  async update(key: Buffer, nonce: string): Promise<GenerateRootStep> {
    this.ctx.requireUnsealed();
    const a = this.attempt;
    if (a === null) throw invalidRequest('no root generation is in progress');
    if (typeof nonce !== 'string' || nonce !== a.nonce) {
      throw invalidRequest('nonce does not match the root generation in progress');
    }
    const config = await this.ctx.requireConfig();
    if (this.attempt !== a) throw invalidRequest('the root generation was cancelled');
    a.shares.add(key, config.secret_shares);
    if (a.shares.progress < config.secret_threshold) return { done: false, status: this.statusFor(config) };

    const rootKey = await this.ctx.scheme(config).recover(a.shares.take(), config);
    rootKey?.fill(0);
    if (rootKey !== null && this.attempt !== a) throw invalidRequest('the root generation was cancelled');
    if (rootKey === null) {
      throw invalidRequest('root generation failed: the key shares did not reconstruct the unseal key; the keys may be wrong. Progress has been reset');
    }
    this.attempt = null;
    return { done: true, nonce: a.nonce, otp: a.otp, required: config.secret_threshold };
  }

  cancel(): void {
    this.attempt?.shares.reset();
    this.attempt = null;
  }

  status(): GenerateRootStatus {
    this.ctx.requireUnsealed();
    return this.statusFor(this.ctx.cachedConfig());
  }

  private statusFor(config: SealConfig | null): GenerateRootStatus {
    const a = this.attempt;
    return {
      nonce: a?.nonce ?? '',
      started: a !== null,
      progress: a?.shares.progress ?? 0,
      required: config?.secret_threshold ?? 0,
      complete: false,
      otp: '',
      otp_length: OTP_LENGTH,
      encoded_token: '',
      encoded_root_token: '',
      pgp_fingerprint: '',
    };
  }
}

/** The answer to the share that completed an attempt, with `token` XORed with its OTP. */
export function completedGenerateRoot(step: GenerateRootStep & { done: true }, token: string): GenerateRootStatus {
  const otpLength = Buffer.byteLength(step.otp, 'utf8');
  if (Buffer.byteLength(token, 'utf8') !== otpLength) {
    // A token the OTP cannot cover is a core bug, not a client error.
    throw new Error(`seal: root token length does not match the OTP length (${otpLength})`);
  }
  const encoded = encodeTokenWithOtp(token, step.otp);
  return {
    nonce: step.nonce,
    started: true,
    progress: step.required,
    required: step.required,
    complete: true,
    otp: '',
    otp_length: otpLength,
    encoded_token: encoded,
    encoded_root_token: encoded,
    pgp_fingerprint: '',
  };
}
