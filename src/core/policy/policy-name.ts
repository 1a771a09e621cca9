/**
 * Policy names. Like Vault, names are trimmed and lower-cased before any use, so `ROOT`,
 * ` root` and `root` are one name. `root` is built in and can never be written or deleted;
 * `default` can be edited but not deleted; `response-wrapping` is built in, read-only.
 *
 * Vault puts almost no limit on the characters of a name. We accept letters, digits and
 * `-`, `_`, `.`, `@` (what real policy names use), up to 128 characters: no `/` (names are
 * storage keys and URL segments), no `,` (token policies travel as comma lists), no spaces.
 */
import { invalidRequest } from '../../errors.js';
import { RESPONSE_WRAPPING_POLICY_NAME } from './response-wrapping-policy.js';

export const ROOT_POLICY_NAME = 'root';
export const DEFAULT_POLICY_NAME = 'default';

const NAME_PATTERN = /^[a-z0-9_.@-]+$/;
const MAX_NAME_LENGTH = 128;

export function normalizePolicyName(name: string): string {
  return name.trim().toLowerCase();
}

function shown(name: string): string {
  return JSON.stringify(name.length > 64 ? name.slice(0, 64) + '…' : name);
}

/** Throws unless `name` may be created or updated; returns the normalized name. */
export function assertPolicyNameWritable(name: string): string {
  const n = normalizePolicyName(name);
  if (n === '') throw invalidRequest('policy name must be provided');
  if (n === ROOT_POLICY_NAME) throw invalidRequest('cannot update the root policy');
  if (n === RESPONSE_WRAPPING_POLICY_NAME) throw invalidRequest('cannot update the built-in response-wrapping policy');
  if (n.length > MAX_NAME_LENGTH) throw invalidRequest(`policy name is longer than ${MAX_NAME_LENGTH} characters`);
  if (!NAME_PATTERN.test(n) || /^\.+$/.test(n)) {
    throw invalidRequest(
      `invalid policy name ${shown(n)}: use letters, digits, "-", "_", "." and "@" only`,
    );
  }
  return n;
}

/** Throws unless `name` may be deleted; returns the normalized name. */
export function assertPolicyNameDeletable(name: string): string {
  const n = normalizePolicyName(name);
  if (n === '') throw invalidRequest('policy name must be provided');
  if (n === ROOT_POLICY_NAME) throw invalidRequest('cannot delete the root policy');
  if (n === DEFAULT_POLICY_NAME) throw invalidRequest('cannot delete the default policy');
  if (n === RESPONSE_WRAPPING_POLICY_NAME) throw invalidRequest('cannot delete the built-in response-wrapping policy');
  return n;
}
