/**
 * Signatures with ed25519, ECDSA and RSA keys (PSS or PKCS#1 v1.5), ASN.1 or JWS
 * marshaling, optionally over a caller-computed digest. Like encryption, everything here is
 * synchronous from fetching the version to using it.
 */
import { constants, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import { decodeBase64, decodeBase64UrlRaw } from './base64.js';
import { deriveKey } from './derive.js';
import { decodeDer, decodeP1363, encodeDer, encodeP1363 } from './ecdsa-der.js';
import { ecdsaSignDigest, ecdsaVerifyDigest, scalarBytes } from './ecdsa-prehashed.js';
import type { HashAlgorithm } from './hash-algorithms.js';
import { ed25519PrivateKeyFromSeed, type KeyVersion } from './key-material.js';
import { inputVersion, outputVersion } from './key-versions.js';
import { rsaSignDigest, rsaVerifyDigest } from './rsa-prehashed.js';
import type { TransitKey } from './transit-key.js';
import { formatVersioned, parseVersioned } from './versioned.js';

export interface SigningOptions {
  hash: HashAlgorithm;
  prehashed: boolean;
  scheme: 'pss' | 'pkcs1v15';
  marshaling: 'asn1' | 'jws';
  /** RSA-PSS: 'auto' (longest on signing, any on verifying), 'hash' (digest length) or bytes. */
  saltLength: 'auto' | 'hash' | number;
}

export interface Signed {
  signature: string;
  keyVersion: number;
  /** Derived ed25519 keys: the public key of the context's key. */
  publicKey: Buffer | null;
}

/** Request-wide checks, before any item: the key signs, and the options fit together. */
export function checkSigning(key: TransitKey, opts: SigningOptions, verb: 'signing' | 'verification'): void {
  if (!key.type.signing) throw invalidRequest(`key type ${key.type.name} does not support ${verb}`);
  if (opts.hash.name === 'none' && (!opts.prehashed || opts.scheme !== 'pkcs1v15' || key.type.family !== 'rsa')) {
    throw invalidRequest('hash_algorithm=none requires an RSA key, prehashed=true and signature_algorithm=pkcs1v15');
  }
  if (key.type.family === 'rsa' && opts.scheme === 'pss' && typeof opts.saltLength === 'number') {
    const max = maxSaltLength(key, opts.hash);
    if (opts.saltLength > max) throw invalidRequest(`invalid value for "salt_length": at most ${max} bytes for ${key.type.name} with ${opts.hash.name}`);
  }
}

function maxSaltLength(key: TransitKey, hash: HashAlgorithm): number {
  return Math.ceil((key.type.modulusBits! - 1) / 8) - 2 - hash.bytes;
}

function saltFor(key: TransitKey, opts: SigningOptions, signing: boolean): number | null {
  if (opts.saltLength === 'hash') return opts.hash.bytes;
  if (opts.saltLength === 'auto') return signing ? maxSaltLength(key, opts.hash) : null;
  return opts.saltLength;
}

function derivedEd25519(key: TransitKey, v: KeyVersion, context: Buffer | null): KeyObject {
  if (!context || context.length === 0) {
    throw invalidRequest(`missing "context": key "${key.settings.name}" is derived, so signing and verifying need the base64 context`);
  }
  const seed = deriveKey(v.secret!, context, 32);
  try {
    return ed25519PrivateKeyFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

function encode(raw: Buffer, opts: SigningOptions): string {
  return opts.marshaling === 'jws' ? raw.toString('base64url') : raw.toString('base64');
}

export function signValue(key: TransitKey, input: Buffer, context: Buffer | null, keyVersion: number, opts: SigningOptions): Signed {
  const v = outputVersion(key, keyVersion, 'signing');
  let raw: Buffer;
  let publicKey: Buffer | null = null;
  switch (key.type.family) {
    case 'ed25519': {
      // Ed25519 hashes internally: hash_algorithm and prehashed do not apply, as in Vault.
      let privateKey = v.privateKey!;
      if (key.settings.derived) {
        privateKey = derivedEd25519(key, v, context);
        publicKey = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
      }
      raw = sign(null, input, privateKey);
      break;
    }
    case 'ecdsa': {
      if (opts.prehashed) {
        const { r, s } = ecdsaSignDigest(v.privateKey!, input);
        raw = opts.marshaling === 'jws' ? encodeP1363(r, s, scalarBytes(v.privateKey!)) : encodeDer(r, s);
      } else {
        raw = sign(opts.hash.node, input, { key: v.privateKey!, dsaEncoding: opts.marshaling === 'jws' ? 'ieee-p1363' : 'der' });
      }
      break;
    }
    case 'rsa': {
      const salt = saltFor(key, opts, true)!;
      if (opts.prehashed) {
        raw = rsaSignDigest(v.privateKey!, key.type.modulusBits!, opts.hash, input, opts.scheme, salt);
      } else {
        const padding = opts.scheme === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
        raw = sign(opts.hash.node, input, { key: v.privateKey!, padding, saltLength: salt });
      }
      break;
    }
    default:
      throw invalidRequest(`key type ${key.type.name} does not support signing`);
  }
  return { signature: formatVersioned(v.version, encode(raw, opts)), keyVersion: v.version, publicKey };
}

export function verifyValue(key: TransitKey, input: Buffer, context: Buffer | null, signature: string, opts: SigningOptions): boolean {
  const { version, body } = parseVersioned(signature, 'signature');
  const raw = opts.marshaling === 'jws' ? decodeBase64UrlRaw(body) : decodeBase64(body);
  if (!raw) throw invalidRequest(`invalid signature: not valid ${opts.marshaling === 'jws' ? 'unpadded URL-safe' : 'standard'} base64`);
  const v = inputVersion(key, version, 'signature');
  switch (key.type.family) {
    case 'ed25519': {
      const publicKey = key.settings.derived ? createPublicKey(derivedEd25519(key, v, context)) : v.publicKey!;
      return safely(() => verify(null, input, publicKey, raw));
    }
    case 'ecdsa': {
      const size = scalarBytes(v.publicKey!);
      const parts = opts.marshaling === 'jws' ? decodeP1363(raw, size) : decodeDer(raw);
      if (!parts) throw invalidRequest('invalid signature: not a well-formed ECDSA signature for this key');
      if (opts.prehashed) return ecdsaVerifyDigest(v.publicKey!, input, parts.r, parts.s);
      return safely(() => verify(opts.hash.node, input, { key: v.publicKey!, dsaEncoding: opts.marshaling === 'jws' ? 'ieee-p1363' : 'der' }, raw));
    }
    case 'rsa': {
      const salt = saltFor(key, opts, false);
      if (opts.prehashed) return rsaVerifyDigest(v.publicKey!, key.type.modulusBits!, opts.hash, input, raw, opts.scheme, salt);
      const padding = opts.scheme === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
      const saltLength = salt ?? constants.RSA_PSS_SALTLEN_AUTO;
      return safely(() => verify(opts.hash.node, input, { key: v.publicKey!, padding, saltLength }, raw));
    }
    default:
      throw invalidRequest(`key type ${key.type.name} does not support verification`);
  }
}

/** OpenSSL throws for some malformed signatures where others just fail: both are "not valid". */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
