/**
 * Which version of a key an operation may use, with the same rules and messages for every
 * operation: new output (encrypt, sign, hmac) is made with the latest version unless the
 * caller names one at or above min_encryption_version; existing output (decrypt, verify)
 * is accepted from min_decryption_version up.
 */
import { invalidRequest } from '../../errors.js';
import type { KeyVersion } from './key-material.js';
import type { TransitKey } from './transit-key.js';

export const TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';

/** The version for new output; `requested` 0 means the latest. `what`: "encryption", "signing"… */
export function outputVersion(key: TransitKey, requested: number, what: string): KeyVersion {
  const s = key.settings;
  if (requested < 0) throw invalidRequest(`requested version for ${what} is negative`);
  if (requested > s.latestVersion) throw invalidRequest(`requested version for ${what} (${requested}) is higher than the latest key version (${s.latestVersion})`);
  const n = requested === 0 ? s.latestVersion : requested;
  if (n < s.minEncryptionVersion) {
    throw invalidRequest(`requested version for ${what} (${n}) is less than the minimum encryption key version (${s.minEncryptionVersion})`);
  }
  return material(key, n);
}

/** The version that made existing output (`what`: "ciphertext", "signature", "HMAC"). */
export function inputVersion(key: TransitKey, n: number, what: string): KeyVersion {
  const s = key.settings;
  if (n > s.latestVersion) throw invalidRequest(`invalid ${what}: version ${n} is too new (latest key version is ${s.latestVersion})`);
  if (n < s.minDecryptionVersion) throw invalidRequest(`${TOO_OLD}: ${what} version ${n} is below min_decryption_version ${s.minDecryptionVersion}`);
  return material(key, n);
}

/** Version `n`, present and not wiped; the check and the caller's crypto run in one synchronous step. */
export function material(key: TransitKey, n: number): KeyVersion {
  const v = key.versions.get(n);
  if (!v) throw invalidRequest(`key version ${n} does not exist (versions below ${key.settings.minAvailableVersion} were trimmed)`);
  if (v.wiped) throw invalidRequest('the key changed while the request ran (deleted, trimmed, or the server sealed); retry');
  return v;
}
