/**
 * Vault's versioned value format for ciphertexts, signatures and HMACs:
 * `vault:v<version>:<base64>`. The prefix is fixed (Vault's default template).
 */
import { invalidRequest } from '../../errors.js';

const PREFIX = 'vault:v';

export function formatVersioned(version: number, body: string): string {
  return `${PREFIX}${version}:${body}`;
}

/** `what` names the value in errors: "ciphertext", "signature", "HMAC". */
export function parseVersioned(value: string, what: string): { version: number; body: string } {
  if (!value.startsWith(PREFIX)) throw invalidRequest(`invalid ${what}: no prefix (expected "vault:v<version>:...")`);
  const colon = value.indexOf(':', PREFIX.length);
  if (colon === -1) throw invalidRequest(`invalid ${what}: wrong number of fields`);
  const digits = value.slice(PREFIX.length, colon);
  if (!/^\d{1,9}$/.test(digits)) throw invalidRequest(`invalid ${what}: version number could not be decoded`);
  // Version 0 was the first version of Vault's earliest keys; it means 1.
  return { version: Math.max(1, Number(digits)), body: value.slice(colon + 1) };
}
