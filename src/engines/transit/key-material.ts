/**
 * One version of a key: its material in memory (Buffers for symmetric keys, so they can be
 * zeroed; KeyObjects for asymmetric ones, which OpenSSL clears when they are freed), and
 * the stored form it is written as through the barrier. Every version also carries a
 * random 32-byte HMAC key: hmac/:name works with any key type, as in Vault.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import type { KeyType } from './key-types.js';

export interface KeyVersion {
  version: number;
  /** ms */
  created: number;
  /**
   * aead and hmac: the key itself. ed25519: seed || public key (64 bytes), the input keying
   * material of derived keys, as Vault uses its 64-byte Ed25519 private key. Else null.
   */
  secret: Buffer | null;
  hmacKey: Buffer;
  privateKey: KeyObject | null;
  publicKey: KeyObject | null;
  /** As a key's read-out shows it: base64 for ed25519, PEM for ecdsa and rsa; '' otherwise. */
  publicKeyText: string;
  /**
   * Set when the material was zeroed (seal, delete, trim). Every use checks it in the same
   * synchronous step as the crypto, so a request that fetched the key before the wipe fails
   * instead of encrypting under a zeroed key.
   */
  wiped: boolean;
}

/** The stored form of a version (inside the key's entry, encrypted by the barrier). */
export interface StoredVersion {
  /** ms */
  created: number;
  /** base64: the symmetric key, or the PKCS#8 DER private key of an asymmetric type. */
  key: string;
  /** base64, 32 bytes */
  hmac_key: string;
}

const HMAC_KEY_BYTES = 32;
/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): the fixed header, then 32 bytes. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519PrivateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * A new private key of an asymmetric type, generated off the event loop. It comes back as
 * PKCS#8 DER and is parsed again: on Node 20, a KeyObject handed out by the key generation
 * job shares a lock with that job, and exporting it (JWK) while the garbage collector frees
 * the job deadlocks the process. A key parsed from DER shares nothing with the job.
 */
async function generatePrivateKey(type: KeyType): Promise<KeyObject> {
  const der = await new Promise<Buffer>((resolve, reject) => {
    const encoding = { privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } } as const;
    const done = (err: Error | null, _publicKey: Buffer, privateKey: Buffer) => (err ? reject(err) : resolve(privateKey));
    if (type.family === 'ed25519') generateKeyPair('ed25519', encoding, done);
    else if (type.family === 'ecdsa') generateKeyPair('ec', { namedCurve: type.curve!, ...encoding }, done);
    else generateKeyPair('rsa', { modulusLength: type.modulusBits!, ...encoding }, done);
  });
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** Fresh material for `version` of a key of `type`. */
export async function generateVersion(type: KeyType, version: number, created: number, hmacKeyBytes: number): Promise<KeyVersion> {
  const hmacKey = randomBytes(HMAC_KEY_BYTES);
  switch (type.family) {
    case 'aead':
      return symmetric(version, created, randomBytes(type.keyBytes!), hmacKey);
    case 'hmac': {
      // The HMAC key of an hmac key is the key itself, as in Vault.
      const key = randomBytes(hmacKeyBytes);
      return symmetric(version, created, key, key);
    }
    default:
      return asymmetric(type, version, created, await generatePrivateKey(type), hmacKey);
  }
}

function symmetric(version: number, created: number, secret: Buffer, hmacKey: Buffer): KeyVersion {
  return { version, created, secret, hmacKey, privateKey: null, publicKey: null, publicKeyText: '', wiped: false };
}

function asymmetric(type: KeyType, version: number, created: number, privateKey: KeyObject, hmacKey: Buffer): KeyVersion {
  const publicKey = createPublicKey(privateKey);
  let secret: Buffer | null = null;
  let publicKeyText: string;
  if (type.family === 'ed25519') {
    const jwk = privateKey.export({ format: 'jwk' });
    const pub = Buffer.from(jwk.x!, 'base64url');
    secret = Buffer.concat([Buffer.from(jwk.d!, 'base64url'), pub]);
    publicKeyText = pub.toString('base64');
  } else {
    publicKeyText = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }
  return { version, created, secret, hmacKey, privateKey, publicKey, publicKeyText, wiped: false };
}

/** Parses a stored version; throws Error (with no key material in it) when it does not fit `type`. */
export function loadVersion(type: KeyType, version: number, stored: StoredVersion): KeyVersion {
  const hmacKey = Buffer.from(stored.hmac_key, 'base64');
  const raw = Buffer.from(stored.key, 'base64');
  if (!Number.isSafeInteger(stored.created)) throw new Error('creation time is not a number');
  switch (type.family) {
    case 'aead':
      if (raw.length !== type.keyBytes) throw new Error(`key is ${raw.length} bytes, expected ${type.keyBytes}`);
      if (hmacKey.length !== HMAC_KEY_BYTES) throw new Error('hmac key has the wrong length');
      return symmetric(version, stored.created, raw, hmacKey);
    case 'hmac':
      if (raw.length < 32 || raw.length > 512) throw new Error('hmac key has the wrong length');
      return symmetric(version, stored.created, raw, raw);
    default: {
      if (hmacKey.length !== HMAC_KEY_BYTES) throw new Error('hmac key has the wrong length');
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey({ key: raw, format: 'der', type: 'pkcs8' });
      } catch {
        throw new Error('private key is not PKCS#8 DER');
      }
      raw.fill(0);
      checkAsymmetric(type, privateKey);
      return asymmetric(type, version, stored.created, privateKey, hmacKey);
    }
  }
}

function checkAsymmetric(type: KeyType, key: KeyObject): void {
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    (type.family === 'ed25519' && key.asymmetricKeyType === 'ed25519') ||
    (type.family === 'ecdsa' && key.asymmetricKeyType === 'ec' && details.namedCurve === type.curve) ||
    (type.family === 'rsa' && key.asymmetricKeyType === 'rsa' && details.modulusLength === type.modulusBits);
  if (!fits) throw new Error(`private key is not a ${type.name} key`);
}

export function storeVersion(v: KeyVersion): StoredVersion {
  const key = v.privateKey ? (v.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer) : v.secret!;
  return { created: v.created, key: key.toString('base64'), hmac_key: v.hmacKey.toString('base64') };
}

/** Zeroes what can be zeroed; KeyObjects are dropped with their version. */
export function wipeVersion(v: KeyVersion): void {
  v.wiped = true;
  v.secret?.fill(0);
  v.hmacKey.fill(0);
  v.privateKey = null;
}
