/**
 * totp: time-based one-time passwords (RFC 6238), as Vault's TOTP engine. Either the server
 * generates a key (and shows it once, as an otpauth:// URL and QR code, when exported) and
 * validates the codes an authenticator app shows, or a key is imported (`url` or `key`) and
 * the server generates codes for it. A code validates once. The arithmetic and the
 * one-use rule are those login MFA uses (crypto/totp.ts).
 */
import { defineBackend } from '../../framework/backend.js';
import { UsedCodes } from '../../crypto/totp.js';
import { codePaths } from './paths/code.js';
import { keyPaths } from './paths/keys.js';

export default function totpBackend() {
  // Per mount; a code used here stays used for as long as it could be valid.
  const used = new UsedCodes();
  return defineBackend({
    type: 'totp',
    help: 'Time-based one-time passwords: generate keys and validate codes, or import keys and generate codes.',
    paths: [...keyPaths(used), ...codePaths(used)],
  });
}
