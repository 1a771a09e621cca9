/**
 * The key types transit offers and what each can do. One table, read by every operation,
 * so "does this key sign?" has one answer everywhere (and in the key's read-out).
 */
export type KeyTypeName =
  | 'aes128-gcm96'
  | 'aes256-gcm96'
  | 'chacha20-poly1305'
  | 'ed25519'
  | 'ecdsa-p256'
  | 'ecdsa-p384'
  | 'ecdsa-p521'
  | 'rsa-2048'
  | 'rsa-3072'
  | 'rsa-4096'
  | 'hmac';

export type KeyFamily = 'aead' | 'ed25519' | 'ecdsa' | 'rsa' | 'hmac';

export interface KeyType {
  name: KeyTypeName;
  family: KeyFamily;
  encryption: boolean;
  signing: boolean;
  derivation: boolean;
  /** AEAD ciphers take associated data and may be convergent. */
  aead: boolean;
  /** Symmetric key length in bytes (aead). */
  keyBytes?: number;
  /** node:crypto cipher name (aead). */
  cipher?: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  /** OpenSSL curve name (ecdsa). */
  curve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
  /** Curve name as Vault shows it in a key's read-out (ecdsa). */
  curveName?: 'P-256' | 'P-384' | 'P-521';
  /** Modulus size (rsa). */
  modulusBits?: number;
  /** Whether encrypt may create a key of this type on first use (Vault's upsert). */
  upsert: boolean;
}

const aead = (name: KeyTypeName, keyBytes: number, cipher: KeyType['cipher']): KeyType => ({
  name, family: 'aead', encryption: true, signing: false, derivation: true, aead: true, keyBytes, cipher, upsert: true,
});
const ecdsa = (name: KeyTypeName, curve: KeyType['curve'], curveName: KeyType['curveName']): KeyType => ({
  name, family: 'ecdsa', encryption: false, signing: true, derivation: false, aead: false, curve, curveName, upsert: false,
});
const rsa = (name: KeyTypeName, modulusBits: number): KeyType => ({
  name, family: 'rsa', encryption: true, signing: true, derivation: false, aead: false, modulusBits, upsert: false,
});

export const KEY_TYPES: Readonly<Record<KeyTypeName, KeyType>> = {
  'aes128-gcm96': aead('aes128-gcm96', 16, 'aes-128-gcm'),
  'aes256-gcm96': aead('aes256-gcm96', 32, 'aes-256-gcm'),
  'chacha20-poly1305': aead('chacha20-poly1305', 32, 'chacha20-poly1305'),
  ed25519: { name: 'ed25519', family: 'ed25519', encryption: false, signing: true, derivation: true, aead: false, upsert: false },
  'ecdsa-p256': ecdsa('ecdsa-p256', 'prime256v1', 'P-256'),
  'ecdsa-p384': ecdsa('ecdsa-p384', 'secp384r1', 'P-384'),
  'ecdsa-p521': ecdsa('ecdsa-p521', 'secp521r1', 'P-521'),
  'rsa-2048': rsa('rsa-2048', 2048),
  'rsa-3072': rsa('rsa-3072', 3072),
  'rsa-4096': rsa('rsa-4096', 4096),
  hmac: { name: 'hmac', family: 'hmac', encryption: false, signing: false, derivation: false, aead: false, upsert: false },
};

export const KEY_TYPE_NAMES = Object.keys(KEY_TYPES) as KeyTypeName[];

export function keyTypeOf(name: string): KeyType | undefined {
  return Object.hasOwn(KEY_TYPES, name) ? KEY_TYPES[name as KeyTypeName] : undefined;
}

/** Sizes an hmac key may have, in bytes (Vault's bounds); 32 when not given. */
export const HMAC_KEY_BYTES = { min: 32, max: 512, default: 32 };
