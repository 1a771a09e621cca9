/**
 * One-time pads for generate-root. The new root token is XORed with an OTP the operator holds,
 * so the token never crosses the wire in the clear and only the OTP holder can decode it.
 * The encoded form is unpadded standard base64, as Vault's CLI expects.
 */
import { randomBytes } from 'node:crypto';
import { invalidRequest } from '../errors.js';

/** Root tokens are 'hvs.' + 24 base62 characters; the pad must cover every byte. */
export const OTP_LENGTH = 28;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Largest multiple of 62 below 256: bytes at or above it are dropped so every symbol is equally likely.
const UNBIASED_LIMIT = 248;

export function generateOtp(length = OTP_LENGTH): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < UNBIASED_LIMIT && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

export function encodeTokenWithOtp(token: string, otp: string): string {
  const t = Buffer.from(token, 'utf8');
  const p = Buffer.from(otp, 'utf8');
  if (t.length !== p.length) {
    throw invalidRequest(`token length (${t.length}) and OTP length (${p.length}) must match`);
  }
  for (let i = 0; i < t.length; i++) t[i]! ^= p[i]!;
  const encoded = t.toString('base64').replace(/=+$/, '');
  t.fill(0);
  return encoded;
}

export function decodeTokenWithOtp(encoded: string, otp: string): string {
  const s = encoded.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw invalidRequest('encoded token is not valid base64');
  const t = Buffer.from(s, 'base64');
  const p = Buffer.from(otp, 'utf8');
  if (t.length !== p.length) {
    throw invalidRequest(`encoded token length (${t.length}) and OTP length (${p.length}) must match`);
  }
  for (let i = 0; i < t.length; i++) t[i]! ^= p[i]!;
  const token = t.toString('utf8');
  t.fill(0);
  return token;
}
