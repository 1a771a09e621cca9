/**
 * What a standby adds to a request it forwards to the active node: the client's real
 * address, and proof that a node of this cluster (not the client) said so. The proof is an
 * HMAC with a key derived from the root key, which only unsealed nodes hold; it covers the
 * address, method, URL and a timestamp, so a captured header cannot be replayed onto
 * another request or after a minute.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const FORWARDED_FOR = 'x-coffer-forwarded-for';
export const FORWARDED_SIG = 'x-coffer-forwarded-sig';
const MAX_SKEW_MS = 60_000;

export function deriveForwardingKey(rootKey: Buffer): Buffer {
  return createHmac('sha256', rootKey).update('coffer ha request forwarding v1').digest();
}

function mac(key: Buffer, at: string, address: string, method: string, url: string): Buffer {
  return createHmac('sha256', key).update(`${at}\n${address}\n${method}\n${url}`).digest();
}

/** The two headers for a forwarded request. */
export function signForwarded(key: Buffer, address: string, method: string, url: string, now = Date.now()): Record<string, string> {
  const at = String(now);
  return { [FORWARDED_FOR]: address, [FORWARDED_SIG]: `${at}.${mac(key, at, address, method, url).toString('base64url')}` };
}

/** The client address a forwarded request carries, when its proof holds; undefined otherwise. */
export function verifyForwarded(
  key: Buffer | undefined,
  headers: Record<string, string | string[] | undefined>,
  method: string,
  url: string,
  now = Date.now(),
): string | undefined {
  const address = headers[FORWARDED_FOR];
  const sig = headers[FORWARDED_SIG];
  if (!key || typeof address !== 'string' || typeof sig !== 'string') return undefined;
  const dot = sig.indexOf('.');
  const at = sig.slice(0, dot);
  if (dot < 1 || !/^\d+$/.test(at) || Math.abs(now - Number(at)) > MAX_SKEW_MS) return undefined;
  const given = Buffer.from(sig.slice(dot + 1), 'base64url');
  const expected = mac(key, at, address, method, url);
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : undefined;
}
