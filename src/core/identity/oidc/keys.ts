/**
 * Signing keys: a named key is a ring of versions, one signing, the rotated ones published
 * for verification until their verification TTL ends. Key pairs come from node:crypto and are
 * kept as JWKs; signing uses keys imported once per kid (a kid's key never changes), so the
 * hot path does not re-import a private key per token.
 */
import { createHash, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Algorithm, KeyVersion, NamedKey } from './types.js';

const generate = promisify(generateKeyPair);

async function newPair(alg: Algorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  if (alg.startsWith('RS')) return generate('rsa', { modulusLength: 2048 });
  if (alg === 'EdDSA') return generate('ed25519');
  const curve = alg === 'ES256' ? 'P-256' : alg === 'ES384' ? 'P-384' : 'P-521';
  return generate('ec', { namedCurve: curve });
}

export async function newVersion(alg: Algorithm): Promise<KeyVersion> {
  const { privateKey, publicKey } = await newPair(alg);
  return { kid: randomUUID(), algorithm: alg, privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: publicKey.export({ format: 'jwk' }) };
}

/** A fresh key ring: one signing version. */
export async function createKey(fields: Omit<NamedKey, 'signingKid' | 'nextRotation' | 'versions'>, now: number): Promise<NamedKey> {
  const v = await newVersion(fields.algorithm);
  return { ...fields, signingKid: v.kid, nextRotation: now + fields.rotationPeriod * 1000, versions: [v] };
}

/**
 * A new signing version; the old signing one stays published for `verificationTtl` seconds
 * (0 drops it at once) and expired versions are dropped.
 */
export async function rotateKey(key: NamedKey, now: number, verificationTtl = key.verificationTtl): Promise<NamedKey> {
  const v = await newVersion(key.algorithm);
  const versions = key.versions
    .map((old) => (old.kid === key.signingKid ? { ...old, expireAt: now + verificationTtl * 1000 } : old))
    .filter((old) => old.expireAt === undefined || old.expireAt > now);
  return { ...key, signingKid: v.kid, nextRotation: now + key.rotationPeriod * 1000, versions: [...versions, v] };
}

export const rotationDue = (key: NamedKey, now: number) => key.nextRotation <= now;

/** The public halves still valid for verification, as a JWKS lists them. */
export function publicJwks(key: NamedKey, now: number): JWK[] {
  return key.versions
    .filter((v) => v.expireAt === undefined || v.expireAt > now)
    .map((v) => ({ ...(v.publicJwk as JWK), kid: v.kid, alg: v.algorithm, use: 'sig' }));
}

// CryptoKeys, not KeyObjects: jose signs through WebCrypto and would convert a KeyObject on every call.
const signers = new Map<string, Promise<CryptoKey>>();

/** Drops cached private keys (seal). */
export function forgetSigners(): void {
  signers.clear();
}

function signerOf(v: KeyVersion): Promise<CryptoKey> {
  let k = signers.get(v.kid);
  if (!k) {
    k = importJWK(v.privateJwk as JWK, v.algorithm) as Promise<CryptoKey>;
    k.catch(() => signers.delete(v.kid));
    signers.set(v.kid, k);
  }
  return k;
}

export function signingVersion(key: NamedKey): KeyVersion {
  const v = key.versions.find((x) => x.kid === key.signingKid);
  if (!v) throw new Error(`key ${key.name} has no signing version`);
  return v;
}

export async function signClaims(key: NamedKey, claims: JWTPayload, typ = 'JWT'): Promise<string> {
  const v = signingVersion(key);
  return new SignJWT(claims).setProtectedHeader({ alg: v.algorithm, kid: v.kid, typ }).sign(await signerOf(v));
}

/** OIDC's at_hash / c_hash: the left half of the value's hash under the signing algorithm's hash. */
export function halfHash(alg: Algorithm, value: string): string {
  const hash = alg === 'EdDSA' || alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const digest = createHash(hash).update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** Whether `clientId` may have tokens signed by this key ("*" allows every client). */
export const keyAllows = (key: NamedKey, clientId: string) => key.allowedClientIds.includes('*') || key.allowedClientIds.includes(clientId);
