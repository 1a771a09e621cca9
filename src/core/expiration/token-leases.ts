/**
 * Tokens are leases too: `auth/token/create/<hash>`, `auth/userpass/login/bob/<hash>`. Their
 * state lives in the token store; these helpers let the lease endpoints look them up, list
 * them and revoke them by creation path (`vault lease revoke -prefix auth/userpass/` after
 * an incident), with no second copy of any token's expiry. As in Vault, only tokens that
 * expire are leases: a root token (no TTL) is never revoked by a prefix.
 */
import type { TokenEntry } from '../token/token-entry.js';
import type { TokenStore } from '../token/token-store.js';
import { isHashedId } from '../token/token-ids.js';

export function tokenLeaseId(entry: TokenEntry): string {
  return `${entry.path.replace(/\/+$/, '')}/${entry.hashedId}`;
}

/** The live token whose lease id this is, or null. */
export async function findTokenLease(tokens: TokenStore, leaseId: string): Promise<TokenEntry | null> {
  const hashedId = leaseId.slice(leaseId.lastIndexOf('/') + 1);
  if (!isHashedId(hashedId)) return null;
  const entry = await tokens.lookupByHashedId(hashedId);
  return entry && entry.expireTime > 0 && tokenLeaseId(entry) === leaseId ? entry : null;
}

/** Live tokens whose lease id starts with `prefix`. */
export function tokensUnder(tokens: TokenStore, prefix: string): TokenEntry[] {
  return tokens.all().filter((e) => e.expireTime > 0 && tokenLeaseId(e).startsWith(prefix));
}

export function tokenLeaseData(entry: TokenEntry) {
  return {
    id: tokenLeaseId(entry),
    issueTime: entry.creationTime * 1000,
    expireTime: entry.expireTime,
    lastRenewalTime: entry.lastRenewalTime * 1000,
    renewable: entry.renewable,
  };
}
