/**
 * What a standby adds to a request it forwards to the active node: the client's real
 * address, and proof that a node of this cluster (not the client) said so. The proof is an
 * HMAC with a key derived from the root key, which only unsealed nodes hold; it covers the
 * address, method, URL, the token headers, a hash of the body and a timestamp, so a captured
 * header pair cannot be replayed onto another request (another caller's token, another
 * body) to claim the client's address, nor after a minute.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const FORWARDED_FOR = 'x-coffer-forwarded-for';
export const FORWARDED_SIG = 'x-coffer-forwarded-sig';
/**
 * The client certificates the standby's TLS listener received (leaf first, base64 DER, comma
 * separated): the active node's cert logins read them instead of its own connection's, and
 * only when the signature, which covers them, holds.
 */
export const FORWARDED_TLS_CHAIN = 'x-coffer-forwarded-tls-chain';
const MAX_SKEW_MS = 60_000;

export function deriveForwardingKey(rootKey: Buffer): Buffer {
  return createHmac('sha256', rootKey).update('coffer ha request forwarding v1').digest();
}

type Headers = Record<string, string | string[] | undefined>;

/** What the signature covers besides the address: the request as the active node receives it. */
export interface ForwardedRequest {
  method: string;
  url: string;
  /** The request's own headers: the token ones (X-Vault-Token, Authorization) are covered. */
  headers: Headers;
  body: Buffer | undefined;
}

const headerText = (v: string | string[] | undefined) => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : v);

function mac(key: Buffer, at: string, address: string, req: ForwardedRequest): Buffer {
  const bodyHash = createHash('sha256').update(req.body ?? Buffer.alloc(0)).digest('hex');
  const token = JSON.stringify([headerText(req.headers['x-vault-token']), headerText(req.headers.authorization), headerText(req.headers[FORWARDED_TLS_CHAIN])]);
  return createHmac('sha256', key).update(`${at}\n${address}\n${req.method}\n${req.url}\n${token}\n${bodyHash}`).digest();
}

/** The two headers for a forwarded request. */
export function signForwarded(key: Buffer, address: string, req: ForwardedRequest, now = Date.now()): Record<string, string> {
  const at = String(now);
  return { [FORWARDED_FOR]: address, [FORWARDED_SIG]: `${at}.${mac(key, at, address, req).toString('base64url')}` };
}

/** The client address a forwarded request carries, when its proof holds; undefined otherwise. */
export function verifyForwarded(key: Buffer | undefined, req: ForwardedRequest, now = Date.now()): string | undefined {
  const address = req.headers[FORWARDED_FOR];
  const sig = req.headers[FORWARDED_SIG];
  if (!key || typeof address !== 'string' || typeof sig !== 'string') return undefined;
  const dot = sig.indexOf('.');
  const at = sig.slice(0, dot);
  if (dot < 1 || !/^\d+$/.test(at) || Math.abs(now - Number(at)) > MAX_SKEW_MS) return undefined;
  const given = Buffer.from(sig.slice(dot + 1), 'base64url');
  const expected = mac(key, at, address, req);
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : undefined;
}

/** The header value for a client chain (leaf first, DER). */
export const encodeChain = (chain: Buffer[]): string => chain.map((c) => c.toString('base64')).join(',');

/** The chain a verified forwarded request carries; undefined without the header, or when it is malformed. */
export function decodeChain(value: string | string[] | undefined): Buffer[] | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const parts = value.split(',');
  if (parts.length > 16 || parts.some((p) => !/^[A-Za-z0-9+/]+={0,2}$/.test(p))) return undefined;
  return parts.map((p) => Buffer.from(p, 'base64'));
}
