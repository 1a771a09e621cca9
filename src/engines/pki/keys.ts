/**
 * Key pairs for issuers and leaves: Vault's key types and sizes, made with node's webcrypto
 * (what @peculiar/x509 signs with) and kept as PKCS#8 PEM behind the barrier.
 */
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';

// @peculiar/x509 has no crypto of its own: it signs and verifies through this provider.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type KeyType = 'rsa' | 'ec' | 'ed25519';
export const KEY_TYPES = ['rsa', 'ec', 'ed25519'] as const;

const CURVES: Record<number, { curve: string; hash: string }> = {
  256: { curve: 'P-256', hash: 'SHA-256' },
  384: { curve: 'P-384', hash: 'SHA-384' },
  521: { curve: 'P-521', hash: 'SHA-512' },
};

export interface KeySpec {
  type: KeyType;
  /** rsa: modulus bits; ec: curve size; ed25519: 0 */
  bits: number;
}

/** Vault's defaults (key_bits 0): rsa 2048, ec P-256; refuses any other size with a 400. */
export function keySpec(type: string, bits = 0): KeySpec {
  if (type === 'rsa') {
    const b = bits || 2048;
    if (![2048, 3072, 4096].includes(b)) throw invalidRequest(`unsupported key_bits ${bits} for key_type rsa: use 2048, 3072 or 4096`);
    return { type, bits: b };
  }
  if (type === 'ec') {
    const b = bits || 256;
    if (!CURVES[b]) throw invalidRequest(`unsupported key_bits ${bits} for key_type ec: use 256, 384 or 521`);
    return { type, bits: b };
  }
  if (type === 'ed25519') return { type, bits: 0 };
  throw invalidRequest(`unsupported key_type "${type}": use rsa, ec or ed25519`);
}

/** The algorithm to import or generate a key of this spec with, signing included. */
export function algorithmOf(spec: KeySpec): RsaHashedImportParams | EcKeyImportParams | Algorithm {
  if (spec.type === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (spec.type === 'ec') return { name: 'ECDSA', namedCurve: CURVES[spec.bits]!.curve };
  return { name: 'Ed25519' };
}

/** The signature algorithm a key of this spec signs certificates with (Vault: SHA-256 for RSA, the curve's hash for EC). */
export function signingAlgorithmOf(spec: KeySpec): Algorithm {
  if (spec.type === 'ec') return { name: 'ECDSA', hash: CURVES[spec.bits]!.hash } as Algorithm;
  return algorithmOf(spec);
}

export async function generateKeyPair(spec: KeySpec): Promise<CryptoKeyPair> {
  const alg =
    spec.type === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
      : algorithmOf(spec);
  return (await webcrypto.subtle.generateKey(alg as RsaHashedKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

export async function importPrivateKey(pem: string, spec: KeySpec): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), algorithmOf(spec), false, ['sign']);
}

/** The spec of a public key found in a CSR, or a 400 naming what is not supported. */
export async function specOfPublicKey(key: x509.PublicKey): Promise<KeySpec> {
  const alg = key.algorithm as Algorithm & { namedCurve?: string; modulusLength?: number };
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') {
    const k = await key.export({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as RsaHashedImportParams, ['verify'], webcrypto as unknown as Crypto);
    return { type: 'rsa', bits: (k.algorithm as RsaHashedKeyAlgorithm).modulusLength };
  }
  if (alg.name === 'ECDSA') {
    const bits = Object.entries(CURVES).find(([, c]) => c.curve === alg.namedCurve)?.[0];
    if (bits) return { type: 'ec', bits: Number(bits) };
  }
  if (alg.name === 'Ed25519' || alg.name === 'EdDSA') return { type: 'ed25519', bits: 0 };
  throw invalidRequest(`unsupported public key algorithm in the CSR: ${alg.name}`);
}

/** Vault's private_key_format: "der" (the default, and "") or "pkcs8"; anything else a 400. */
export function checkKeyFormat(format: string): 'der' | 'pkcs8' {
  if (format === 'der' || format === '') return 'der';
  if (format === 'pkcs8') return 'pkcs8';
  throw invalidRequest(`unsupported private_key_format "${format}": use der or pkcs8`);
}

/** As Vault answers keys: "der" gives RSA as PKCS#1 and EC as SEC1 PEM; ed25519 has only PKCS#8. */
export function exportKey(key: CryptoKey, spec: KeySpec, format: 'der' | 'pkcs8'): string {
  const obj = KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
  if (format === 'pkcs8' || spec.type === 'ed25519') return obj.export({ type: 'pkcs8', format: 'pem' }) as string;
  return obj.export({ type: spec.type === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }) as string;
}
