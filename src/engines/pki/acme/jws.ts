/**
 * RFC 8555 section 6.2: every ACME POST is a flattened JWS whose protected header names the
 * algorithm, a nonce this mount issued, the exact URL it was sent to, and either the public
 * key itself (`jwk`: new-account, revoke-cert by certificate key) or the account URL
 * (`kid`: everything else). Only asymmetric algorithms: `none` and HMAC would let anyone
 * who saw a request sign the next one.
 */
import { calculateJwkThumbprint, flattenedVerify, importJWK, type JWK } from 'jose';
import type { HandlerContext } from '../../../framework/backend.js';
import type { Directory } from './directory.js';
import { consumeNonce } from './nonces.js';
import { problem } from './problem.js';
import { getAccount, type AccountEntry } from './store.js';

export const JWS_ALGORITHMS = ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface JwsBody {
  protected?: unknown;
  payload?: unknown;
  signature?: unknown;
}

export interface ProtectedHeader {
  alg: string;
  nonce?: string;
  url: string;
  jwk?: JWK;
  kid?: string;
}

export interface VerifiedJws {
  header: ProtectedHeader;
  /** The decoded JSON payload; null for POST-as-GET (an empty payload). */
  payload: Record<string, unknown> | null;
  /** The signer's key: the header's jwk, or the account's. */
  jwk: JWK;
  thumbprint: string;
  /** Set for kid-signed requests. */
  account?: AccountEntry;
}

export const isJwsBody = (v: unknown): v is { protected: string; payload: string; signature: string } =>
  typeof v === 'object' && v !== null && ['protected', 'payload', 'signature'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** A JWS part that must be a JSON object: its members, or a malformed problem naming `what`. */
export function decodeJsonObject(b64: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    throw problem('malformed', `the ${what} is not base64url-encoded JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw problem('malformed', `the ${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** A public JWK as a client may send it: only the public members, no private ones. */
export function publicJwk(jwk: unknown): JWK {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw problem('malformed', 'jwk must be a JSON object');
  const k = jwk as JWK;
  if (k.d !== undefined || k.p !== undefined || k.k !== undefined) throw problem('badPublicKey', 'jwk must be a public key: private or symmetric key members are not accepted');
  if (k.kty === 'RSA') return { kty: k.kty, n: k.n, e: k.e };
  if (k.kty === 'EC') return { kty: k.kty, crv: k.crv, x: k.x, y: k.y };
  if (k.kty === 'OKP') return { kty: k.kty, crv: k.crv, x: k.x };
  throw problem('badPublicKey', `unsupported key type "${String(k.kty)}": use RSA, EC or OKP (Ed25519)`);
}

export const thumbprintOf = (jwk: JWK) => calculateJwkThumbprint(jwk, 'sha256');

/** Verifies `body` against `jwk`; a signature that fails or a key that does not fit `alg` is refused. */
export async function verifySignature(body: { protected: string; payload: string; signature: string }, jwk: JWK, alg: string): Promise<void> {
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK(jwk, alg);
  } catch {
    throw problem('badPublicKey', `the key cannot be used with ${alg}`);
  }
  try {
    await flattenedVerify(body, key, { algorithms: [alg] });
  } catch (err) {
    const detail = (err as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'the JWS signature does not verify' : `the JWS cannot be verified with this key and ${alg}`;
    throw problem('malformed', detail);
  }
}

/**
 * The request's JWS, checked in full. `signer`: which of jwk and kid the resource expects
 * ('either' for revoke-cert).
 */
export async function verifyRequest(ctx: HandlerContext<unknown>, dir: Directory, rel: string, signer: 'jwk' | 'kid' | 'either'): Promise<VerifiedJws> {
  const type = String(ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/jose+json') throw problem('malformed', 'ACME requests must be sent with Content-Type application/jose+json', 415);
  const body = ctx.req.data;
  if (!isJwsBody(body)) throw problem('malformed', 'the request body must be a flattened JWS: protected, payload and signature strings');
  const header = decodeJsonObject(body.protected, 'JWS protected header') as Partial<ProtectedHeader>;
  if (typeof header.alg !== 'string' || !JWS_ALGORITHMS.includes(header.alg)) {
    throw problem('badSignatureAlgorithm', `unsupported JWS algorithm "${String(header.alg)}": use one of ${JWS_ALGORITHMS.join(', ')}`);
  }
  if (typeof header.nonce !== 'string' || !consumeNonce(ctx.mount.uuid, header.nonce)) {
    throw problem('badNonce', 'the JWS nonce is missing, unknown, expired or already used: fetch a new one');
  }
  const expectedUrl = dir.url(rel);
  if (header.url !== expectedUrl) throw problem('unauthorized', `the JWS url must be the URL of this request, ${expectedUrl}`, 401);
  if ((header.jwk === undefined) === (header.kid === undefined)) throw problem('malformed', 'the JWS header must carry exactly one of jwk and kid');
  if (header.jwk !== undefined && signer === 'kid') throw problem('malformed', 'this resource must be signed by an account (kid), not a bare key (jwk)');
  if (header.kid !== undefined && signer === 'jwk') throw problem('malformed', 'this resource must be signed with the key itself (jwk), not an account (kid)');

  let jwk: JWK;
  let account: AccountEntry | undefined;
  if (header.jwk !== undefined) {
    jwk = publicJwk(header.jwk);
  } else {
    const prefix = dir.url('account/');
    const kid = String(header.kid);
    const found = kid.startsWith(prefix) ? await getAccount(ctx.storage, kid.slice(prefix.length)) : null;
    if (!found) throw problem('accountDoesNotExist', 'no account has this kid in this directory');
    if (found.status !== 'valid') throw problem('unauthorized', `the account is ${found.status}`, 403);
    account = found;
    jwk = found.jwk;
  }
  await verifySignature(body, jwk, header.alg);
  let payload: Record<string, unknown> | null = null;
  if (body.payload !== '') {
    payload = decodeJsonObject(body.payload, 'JWS payload');
  }
  return { header: header as ProtectedHeader, payload, jwk, thumbprint: await thumbprintOf(jwk), account };
}
