/**
 * Encrypt and decrypt one value with a key: AEAD for the symmetric types (derived and
 * convergent as Vault does them), RSA-OAEP with SHA-256 for RSA keys. Everything here is
 * synchronous, so a key fetched by the caller cannot be wiped half-way (see KeyVersion.wiped).
 * Errors are 400s that say what is wrong and never quote key material or plaintext.
 */
import { constants, createHmac, privateDecrypt, publicEncrypt } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import { aeadOpen, aeadSeal, NONCE_BYTES, type AeadCipher } from './aead.js';
import { decodeBase64 } from './base64.js';
import { deriveKey } from './derive.js';
import type { KeyVersion } from './key-material.js';
import { inputVersion, outputVersion } from './key-versions.js';
import type { TransitKey } from './transit-key.js';
import { formatVersioned, parseVersioned } from './versioned.js';

export interface EncryptInput {
  plaintext: Buffer;
  /** Required for derived keys, ignored otherwise (as Vault does). */
  context: Buffer | null;
  /** 0 = latest */
  keyVersion: number;
  associatedData: Buffer | null;
}

export interface Encrypted {
  ciphertext: string;
  keyVersion: number;
}

const HMAC_NONCE_KEY_BYTES = 32;

export function canEncrypt(key: TransitKey): void {
  if (!key.type.encryption) throw invalidRequest(`key type ${key.type.name} does not support encryption`);
}

function checkAssociatedData(key: TransitKey, aad: Buffer | null): void {
  if (aad && !key.type.aead) throw invalidRequest(`associated_data is only for AEAD key types, not ${key.type.name}`);
}

/** The context of a derived key: required and non-empty. */
function requireContext(key: TransitKey, context: Buffer | null): Buffer {
  if (!context || context.length === 0) {
    throw invalidRequest(`missing "context": key "${key.settings.name}" is derived, so every operation needs the base64 context its key is derived from`);
  }
  return context;
}

/**
 * The symmetric key for `v` (and, for convergent keys, the HMAC key that makes the nonce).
 * Derived keys come out of HKDF; the caller zeroes them when done.
 */
function aeadKeys(key: TransitKey, v: KeyVersion, context: Buffer | null): { enc: Buffer; nonceKey: Buffer | null; derived: boolean } {
  const bytes = key.type.keyBytes!;
  if (!key.settings.derived) return { enc: v.secret!, nonceKey: null, derived: false };
  const ctx = requireContext(key, context);
  if (!key.settings.convergentEncryption) return { enc: deriveKey(v.secret!, ctx, bytes), nonceKey: null, derived: true };
  // Convergent: one HKDF output, the cipher key first and the nonce's HMAC key after it.
  const both = deriveKey(v.secret!, ctx, bytes + HMAC_NONCE_KEY_BYTES);
  return { enc: both.subarray(0, bytes), nonceKey: both.subarray(bytes), derived: true };
}

export function encryptValue(key: TransitKey, input: EncryptInput): Encrypted {
  canEncrypt(key);
  checkAssociatedData(key, input.associatedData);
  const v = outputVersion(key, input.keyVersion, 'encryption');
  let body: Buffer;
  if (key.type.family === 'rsa') {
    body = rsaEncrypt(key, v, input.plaintext);
  } else {
    const { enc, nonceKey, derived } = aeadKeys(key, v, input.context);
    try {
      // Convergent: the nonce is an HMAC of the plaintext, so equal plaintexts under one
      // context encrypt alike (and nothing else repeats a nonce).
      const nonce = nonceKey ? createHmac('sha256', nonceKey).update(input.plaintext).digest().subarray(0, NONCE_BYTES) : null;
      body = aeadSeal(key.type.cipher as AeadCipher, enc, input.plaintext, input.associatedData, nonce);
    } finally {
      if (derived) {
        enc.fill(0);
        nonceKey?.fill(0);
      }
    }
  }
  return { ciphertext: formatVersioned(v.version, body.toString('base64')), keyVersion: v.version };
}

export function decryptValue(key: TransitKey, ciphertext: string, context: Buffer | null, aad: Buffer | null): Buffer {
  if (!key.type.encryption) throw invalidRequest(`key type ${key.type.name} does not support decryption`);
  checkAssociatedData(key, aad);
  const { version, body } = parseVersioned(ciphertext, 'ciphertext');
  const blob = decodeBase64(body);
  if (!blob) throw invalidRequest('invalid ciphertext: could not decode base64');
  const v = inputVersion(key, version, 'ciphertext');
  if (key.type.family === 'rsa') return rsaDecrypt(v, blob);
  const { enc, nonceKey, derived } = aeadKeys(key, v, context);
  let plain: Buffer | null;
  try {
    plain = aeadOpen(key.type.cipher as AeadCipher, enc, blob, aad);
  } finally {
    if (derived) {
      enc.fill(0);
      nonceKey?.fill(0);
    }
  }
  if (!plain) {
    throw invalidRequest(
      key.settings.derived
        ? 'unable to decrypt: the ciphertext, context or associated_data does not match the key (message authentication failed)'
        : 'unable to decrypt: the ciphertext or associated_data does not match the key (message authentication failed)',
    );
  }
  return plain;
}

/** OAEP with SHA-256 (and MGF1-SHA-256), as Vault encrypts with RSA keys. */
function rsaEncrypt(key: TransitKey, v: KeyVersion, plaintext: Buffer): Buffer {
  const max = key.type.modulusBits! / 8 - 2 * 32 - 2;
  if (plaintext.length > max) throw invalidRequest(`plaintext is ${plaintext.length} bytes; ${key.type.name} keys encrypt at most ${max}`);
  return publicEncrypt({ key: v.publicKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext);
}

function rsaDecrypt(v: KeyVersion, blob: Buffer): Buffer {
  try {
    return privateDecrypt({ key: v.privateKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, blob);
  } catch {
    // One message for every failure: details of OAEP failures are a padding oracle.
    throw invalidRequest('unable to decrypt: the ciphertext does not match the key');
  }
}
