/**
 * Service-account identities: read from a token's claims (the projected `kubernetes.io`
 * claim, or the legacy `kubernetes.io/serviceaccount/*` ones), checked locally against
 * `pem_keys`, or taken from a TokenReview's answer. A failure is a Denied naming the reason,
 * never the token.
 */
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { parsePublicKey, type PemKeyCache } from '../shared/pem-keys.js';
import type { KubeConfig } from './storage.js';

export class Denied extends Error {}

export interface ServiceAccount {
  namespace: string;
  name: string;
  uid: string;
  secretName: string;
  /** The token's audiences, when known. */
  audiences: string[];
}

/** Issuer of legacy (secret-based) service-account tokens; the default for `issuer`. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const CLOCK_SKEW = 60;

export const parsePemKey = (pem: string, index: number) => parsePublicKey(pem, 'pem_keys', index);

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The service account a set of claims names, or a Denied saying what is missing. */
export function accountFromClaims(claims: Record<string, unknown>): ServiceAccount {
  const projected = claims['kubernetes.io'];
  const aud = claims.aud;
  const audiences = (Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]).filter((a): a is string => typeof a === 'string');
  let account: ServiceAccount;
  if (projected && typeof projected === 'object') {
    const p = projected as { namespace?: unknown; serviceaccount?: { name?: unknown; uid?: unknown } };
    account = { namespace: text(p.namespace), name: text(p.serviceaccount?.name), uid: text(p.serviceaccount?.uid), secretName: '', audiences };
  } else {
    account = {
      namespace: text(claims['kubernetes.io/serviceaccount/namespace']),
      name: text(claims['kubernetes.io/serviceaccount/service-account.name']),
      uid: text(claims['kubernetes.io/serviceaccount/service-account.uid']),
      secretName: text(claims['kubernetes.io/serviceaccount/secret.name']),
      audiences,
    };
  }
  if (account.namespace === '' || account.name === '' || account.uid === '') throw new Denied('the JWT does not name a service account (namespace, name and uid)');
  return account;
}

/** Verifies a service-account JWT against the configured PEM keys, its issuer and its times. */
export async function verifyLocally(jwt: string, config: KubeConfig, pems: PemKeyCache, nowMs: number): Promise<ServiceAccount> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(jwt).alg;
  } catch {
    throw new Denied('the JWT is malformed');
  }
  if (typeof alg !== 'string' || !ALGS.includes(alg)) throw new Denied(`signing algorithm ${JSON.stringify(alg ?? null).slice(0, 40)} is not allowed`);
  let payload: Uint8Array | undefined;
  for (const key of pems.keys(config.pemKeys)) {
    try {
      payload = (await compactVerify(jwt, key, { algorithms: ALGS })).payload;
      break;
    } catch (err) {
      if (!(err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSENotSupported || err instanceof TypeError)) {
        throw new Denied('the JWT is malformed');
      }
    }
  }
  if (!payload) throw new Denied('the signature does not verify with any of pem_keys');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('not an object');
  } catch {
    throw new Denied('the JWT payload is not a JSON object');
  }
  if (!config.disableIssValidation && claims.iss !== (config.issuer || LEGACY_ISSUER)) throw new Denied('the JWT has the wrong issuer');
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp === 'number' && now > claims.exp + CLOCK_SKEW) throw new Denied('the JWT has expired');
  if (typeof claims.nbf === 'number' && now < claims.nbf - CLOCK_SKEW) throw new Denied('the JWT is not valid yet');
  return accountFromClaims(claims);
}
