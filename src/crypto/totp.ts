/**
 * TOTP (RFC 6238) keys, codes and otpauth:// URLs, shared by login MFA and the totp secrets
 * engine. The arithmetic is the `otpauth` library's; what is ours is the settings Vault
 * offers, the QR code, and the rule that a code is good once (`UsedCodes`).
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP, URI } from 'otpauth';
import QRCode from 'qrcode';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export const TOTP_ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

export interface TotpKey {
  /** Base32, no padding. */
  secret: string;
  issuer: string;
  accountName: string;
  algorithm: TotpAlgorithm;
  digits: number;
  /** Seconds. */
  period: number;
}

export const newTotpSecret = (keySize: number): string => new Secret({ buffer: new Uint8Array(randomBytes(keySize)).buffer }).base32;

const totpOf = (k: TotpKey): TOTP =>
  new TOTP({ issuer: k.issuer, label: k.accountName, algorithm: k.algorithm, digits: k.digits, period: k.period, secret: Secret.fromBase32(k.secret) });

export const totpUrl = (k: TotpKey): string => totpOf(k).toString();

/** The QR code of the key's URL as a base64 PNG, `size` pixels wide. */
export async function totpBarcode(k: TotpKey, size: number): Promise<string> {
  const png = await QRCode.toBuffer(totpUrl(k), { type: 'png', width: size, margin: 1 });
  return png.toString('base64');
}

export const totpCode = (k: TotpKey, nowMs: number): string => totpOf(k).generate({ timestamp: nowMs });

/**
 * The time step a code belongs to, when it is valid now within `skew` periods either side;
 * undefined otherwise. A code of the wrong length or not all digits is simply invalid.
 */
export function totpStep(k: TotpKey, code: string, skew: number, nowMs: number): number | undefined {
  if (code.length !== k.digits || !/^[0-9]+$/.test(code)) return undefined;
  const delta = totpOf(k).validate({ token: code, timestamp: nowMs, window: skew });
  if (delta === null) return undefined;
  return Math.floor(nowMs / 1000 / k.period) + delta;
}

/** Reads an otpauth://totp URL into a key; throws a message naming the fault. */
export function parseTotpUrl(url: string): TotpKey {
  let otp;
  try {
    otp = URI.parse(url);
  } catch {
    throw new Error('url is not a valid otpauth:// URL');
  }
  if (!(otp instanceof TOTP)) throw new Error('url must be an otpauth://totp/ URL');
  const algorithm = otp.algorithm.toUpperCase() as TotpAlgorithm;
  if (!TOTP_ALGORITHMS.includes(algorithm)) throw new Error(`unsupported algorithm "${otp.algorithm}"`);
  return { secret: otp.secret.base32, issuer: otp.issuer, accountName: otp.label, algorithm, digits: otp.digits, period: otp.period };
}

/**
 * Codes already accepted, so that each is good once (CVE-2025-6014 class: a code seen on
 * the wire must not log in again). Keyed by whoever owns the key and the code's time step;
 * an entry lives as long as the code could still be valid, then is dropped.
 */
export class UsedCodes {
  private readonly until = new Map<string, number>();

  /** Records the use; false when this code was already used. */
  use(owner: string, step: number, code: string, expiresAtMs: number, nowMs: number): boolean {
    this.prune(nowMs);
    const key = `${owner}\n${step}\n${code}`;
    if (this.until.has(key)) return false;
    this.until.set(key, expiresAtMs);
    return true;
  }

  forget(ownerPrefix: string): void {
    for (const k of this.until.keys()) if (k.startsWith(ownerPrefix)) this.until.delete(k);
  }

  private prune(nowMs: number): void {
    if (this.until.size < 256) return;
    for (const [k, t] of this.until) if (t <= nowMs) this.until.delete(k);
  }
}

/** When a code for `step` stops being accepted with this skew. */
export const stepExpiry = (step: number, period: number, skew: number): number => (step + 1 + skew) * period * 1000;
