/**
 * A key as keys/:name (and create, rotate, config, trim) shows it: Vault's fields, public
 * keys of asymmetric versions, never any private or symmetric material.
 */
import { createPublicKey } from 'node:crypto';
import { rfc3339Nano } from '../../logical/time-format.js';
import { deriveKey } from './derive.js';
import { ed25519PrivateKeyFromSeed } from './key-material.js';
import type { TransitKey } from './transit-key.js';

const infoView = (info: { time: number; version: number } | null) => (info ? { time: rfc3339Nano(info.time), version: info.version } : undefined);

/** `context` (derived ed25519 keys): show the public keys of that context's derived keys. */
export function keyView(key: TransitKey, context: Buffer | null = null): Record<string, unknown> {
  const s = key.settings;
  const t = key.type;
  const data: Record<string, unknown> = {
    name: s.name,
    type: s.type,
    derived: s.derived,
    deletion_allowed: s.deletionAllowed,
    min_available_version: s.minAvailableVersion,
    min_decryption_version: s.minDecryptionVersion,
    min_encryption_version: s.minEncryptionVersion,
    latest_version: s.latestVersion,
    exportable: s.exportable,
    allow_plaintext_backup: s.allowPlaintextBackup,
    supports_encryption: t.encryption,
    supports_decryption: t.encryption,
    supports_signing: t.signing,
    supports_derivation: t.derivation,
    auto_rotate_period: s.autoRotatePeriod,
    imported_key: false,
  };
  if (t.family === 'hmac') data.key_size = s.keySize;
  if (s.backupInfo) data.backup_info = infoView(s.backupInfo);
  if (s.restoreInfo) data.restore_info = infoView(s.restoreInfo);
  if (s.derived) {
    data.kdf = 'hkdf_sha256';
    data.convergent_encryption = s.convergentEncryption;
    if (s.convergentEncryption) data.convergent_encryption_version = 3;
  }
  const keys: Record<string, unknown> = {};
  for (const [n, v] of [...key.versions].sort((a, b) => a[0] - b[0])) {
    if (t.family === 'aead' || t.family === 'hmac') {
      // Symmetric keys show only when each version was made, in Unix seconds (Vault's shape).
      keys[String(n)] = Math.floor(v.created / 1000);
      continue;
    }
    let publicKey = v.publicKeyText;
    if (t.family === 'ed25519' && s.derived) {
      // A derived key has no public key of its own, only one per context.
      publicKey = context && !v.wiped ? derivedPublicKey(v.secret!, context) : '';
    }
    keys[String(n)] = {
      name: t.family === 'ecdsa' ? t.curveName : t.name,
      public_key: publicKey,
      certificate_chain: '',
      creation_time: rfc3339Nano(v.created),
    };
  }
  data.keys = keys;
  return data;
}

function derivedPublicKey(secret: Buffer, context: Buffer): string {
  const seed = deriveKey(secret, context, 32);
  try {
    const jwk = createPublicKey(ed25519PrivateKeyFromSeed(seed)).export({ format: 'jwk' });
    return Buffer.from(jwk.x!, 'base64url').toString('base64');
  } finally {
    seed.fill(0);
  }
}
