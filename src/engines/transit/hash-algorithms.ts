/**
 * Hash algorithm names as Vault's API spells them, and node:crypto's names for them.
 * `none` exists only for prehashed RSA PKCS#1 v1.5 signatures.
 */
import { invalidRequest } from '../../errors.js';

export type HashName = 'none' | 'sha1' | 'sha2-224' | 'sha2-256' | 'sha2-384' | 'sha2-512' | 'sha3-224' | 'sha3-256' | 'sha3-384' | 'sha3-512';

export interface HashAlgorithm {
  name: HashName;
  /** node:crypto digest name; '' for none */
  node: string;
  /** digest length in bytes; 0 for none */
  bytes: number;
  /** DER of the AlgorithmIdentifier's OID (PKCS#1 v1.5 DigestInfo); null for none */
  oid: Buffer | null;
}

const oid = (hex: string) => Buffer.from(hex, 'hex');
// 2.16.840.1.101.3.4.2.n: the NIST hash arc; SHA-1 is 1.3.14.3.2.26.
const nist = (n: number) => oid(`6086480165030402${n.toString(16).padStart(2, '0')}`);

const TABLE: Record<HashName, HashAlgorithm> = {
  none: { name: 'none', node: '', bytes: 0, oid: null },
  sha1: { name: 'sha1', node: 'sha1', bytes: 20, oid: oid('2b0e03021a') },
  'sha2-224': { name: 'sha2-224', node: 'sha224', bytes: 28, oid: nist(4) },
  'sha2-256': { name: 'sha2-256', node: 'sha256', bytes: 32, oid: nist(1) },
  'sha2-384': { name: 'sha2-384', node: 'sha384', bytes: 48, oid: nist(2) },
  'sha2-512': { name: 'sha2-512', node: 'sha512', bytes: 64, oid: nist(3) },
  'sha3-224': { name: 'sha3-224', node: 'sha3-224', bytes: 28, oid: nist(7) },
  'sha3-256': { name: 'sha3-256', node: 'sha3-256', bytes: 32, oid: nist(8) },
  'sha3-384': { name: 'sha3-384', node: 'sha3-384', bytes: 48, oid: nist(9) },
  'sha3-512': { name: 'sha3-512', node: 'sha3-512', bytes: 64, oid: nist(10) },
};

/** The algorithms `hash` and `hmac` take: the SHA-2 and SHA-3 families. */
export const DIGEST_NAMES: HashName[] = ['sha2-224', 'sha2-256', 'sha2-384', 'sha2-512', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512'];
/** What sign and verify take. */
export const SIGNING_HASH_NAMES: HashName[] = ['sha1', ...DIGEST_NAMES, 'none'];

export function hashAlgorithm(name: string, allowed: readonly HashName[], field: string): HashAlgorithm {
  if (!(allowed as readonly string[]).includes(name)) {
    throw invalidRequest(`invalid value for "${field}": unsupported hash algorithm "${name}"; use one of ${allowed.join(', ')}`);
  }
  return TABLE[name as HashName];
}

/**
 * The first non-empty of the URL's algorithm segment and the body fields, in Vault's order
 * of precedence; `fallback` when none is given.
 */
export function pickAlgorithm(candidates: (string | undefined)[], fallback: string): string {
  for (const c of candidates) if (c) return c;
  return fallback;
}
