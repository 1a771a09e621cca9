/**
 * The operator's side of generate-root's one-time pad: the server hands back the new root
 * token XORed with the OTP and encoded as unpadded standard base64; decoding reverses that.
 * Written here because the CLI does not import server code.
 */
import { randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function decodeRootToken(encoded: string, otp: string): string {
  const s = encoded.trim();
  if (s === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error('the encoded token is not valid base64');
  const bytes = Buffer.from(s, 'base64');
  const pad = Buffer.from(otp, 'utf8');
  if (bytes.length !== pad.length) {
    throw new Error(`the encoded token is ${bytes.length} bytes long but the OTP is ${pad.length}: they must match`);
  }
  for (let i = 0; i < bytes.length; i++) bytes[i]! ^= pad[i]!;
  const token = bytes.toString('utf8');
  bytes.fill(0);
  return token;
}

/** A random base62 string (every symbol equally likely), for operators who bring their own OTP. */
export function generateOtp(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) if (b < 248 && out.length < length) out += BASE62[b % 62];
  }
  return out;
}
