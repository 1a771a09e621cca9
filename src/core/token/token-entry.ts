/**
 * The persisted token entry and the two shapes clients see of it: the `auth` block of a
 * create/renew answer and the `data` of a lookup. Every number handed out is an integer.
 */
import { addressAllowed, isCidrBlock } from '../../framework/cidr.js';
import { isoTime } from '../../logical/time-format.js';
import type { AuthBlock } from '../../logical/request.js';

export interface TokenEntry {
  /** HMAC-SHA256(salt, token), hex. The raw token is never stored. */
  hashedId: string;
  accessor: string;
  /** Hashed id of the parent token; '' for orphans. */
  parentHashedId: string;
  /** Sorted, deduplicated, lower-case. */
  policies: string[];
  /** Creation path, e.g. `auth/token/create` or `auth/userpass/login/alice`. */
  path: string;
  meta: Record<string, string>;
  displayName: string;
  /**
   * Remaining uses; 0 = unlimited. -1 marks a token whose last use is in flight or whose
   * revocation has begun: it no longer authenticates anything.
   */
  numUses: number;
  /** unix seconds */
  creationTime: number;
  /** TTL given at creation, seconds; 0 = never expires (root tokens). */
  ttl: number;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  type: 'service';
  cubbyholeId: string;
  entityId: string;
  orphan: boolean;
  /** unix ms; 0 = never */
  expireTime: number;
  /** unix seconds; 0 = never renewed */
  lastRenewalTime: number;
  role?: string;
  boundCidrs?: string[];
  /**
   * Login tokens: their method's max TTL (the mount's, or a role's token_max_ttl), seconds.
   * Renewals never reach past creation + maxTtl; without it the token mount's max applies.
   */
  maxTtl?: number;
  /**
   * What the issuing auth method keeps with a login token for its renewal checks (the cert
   * method: the login certificate's fingerprint). Never shown by lookups.
   */
  internalData?: Record<string, string>;
}

/** numUses value of a token that may not authenticate another request. */
export const USED_UP = -1;

/** True when the request that just consumed a use was this token's last: revoke it after the request. */
export const isFinalUse = (entry: TokenEntry): boolean => entry.numUses === USED_UP;

export interface CreateTokenOptions {
  policies: string[];
  /** The creating token; ignored for the parent link when `orphan` is set. */
  parent?: TokenEntry | null;
  orphan?: boolean;
  /** Creation path, e.g. `auth/token/create`. */
  path: string;
  displayName?: string;
  meta?: Record<string, string>;
  /** Requested TTL in seconds; 0/absent = `defaultTtl` (root-policy tokens: never expires). */
  ttl?: number;
  /** Mount/system defaults, seconds. */
  defaultTtl?: number;
  maxTtl?: number;
  explicitMaxTtl?: number;
  period?: number;
  /** Default true; forced false for tokens that never expire. */
  renewable?: boolean;
  numUses?: number;
  /** A chosen token value (dev mode root token, `id` on create); otherwise random. */
  id?: string;
  noDefaultPolicy?: boolean;
  role?: string;
  boundCidrs?: string[];
  entityId?: string;
  /** TokenEntry.internalData. */
  internalData?: Record<string, string>;
  /** Recorded as the entry's `maxTtl`: the cap every renewal of a login token keeps to. */
  renewalMaxTtl?: number;
  /** Only the response-wrapping step sets this: no other token may carry the `response-wrapping` policy. */
  responseWrapping?: boolean;
}

/** Trimmed, lower-cased, deduplicated, sorted; `default` added unless told not to or root. */
export function normalizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const set = new Set<string>();
  for (const p of policies) {
    const name = p.trim().toLowerCase();
    if (name !== '') set.add(name);
  }
  if (set.has('root')) set.delete('default');
  else if (addDefault) set.add('default');
  return [...set].sort();
}

/** Whole seconds left, rounded; 0 for tokens that never expire or have expired. */
export function remainingSeconds(entry: TokenEntry, nowMs: number): number {
  if (entry.expireTime === 0) return 0;
  return Math.max(0, Math.round((entry.expireTime - nowMs) / 1000));
}

export const isExpired = (entry: TokenEntry, nowMs: number): boolean =>
  entry.expireTime !== 0 && nowMs >= entry.expireTime;

const metaOrNull = (meta: Record<string, string>): Record<string, string> | null =>
  Object.keys(meta).length === 0 ? null : { ...meta };

/**
 * Vault's `auth` envelope for a token (create, renew, login). `token` may be '' when unknown
 * (accessor renewals). `policies` is the token's own and its entity's (`identity_policies`).
 */
export function authBlock(token: string, entry: TokenEntry, nowMs: number, identityPolicies: readonly string[] = []): AuthBlock {
  return {
    client_token: token,
    accessor: entry.accessor,
    policies: identityPolicies.length ? [...new Set([...entry.policies, ...identityPolicies])].sort() : [...entry.policies],
    token_policies: [...entry.policies],
    identity_policies: [...identityPolicies],
    metadata: metaOrNull(entry.meta),
    lease_duration: remainingSeconds(entry, nowMs),
    renewable: entry.renewable,
    entity_id: entry.entityId,
    token_type: entry.type,
    orphan: entry.orphan,
    mfa_requirement: null,
    num_uses: Math.max(0, entry.numUses),
  };
}

const rfc3339 = isoTime;

/**
 * Vault's token lookup `data`. `token` is the raw token when the caller presented it
 * (lookup-self, lookup by value); accessor lookups pass nothing and get `id: ''`. The
 * entity's policies show as `identity_policies` when there are any, as in Vault.
 */
export function lookupData(entry: TokenEntry, nowMs: number, token = '', identityPolicies: readonly string[] = []): Record<string, unknown> {
  const data: Record<string, unknown> = {
    accessor: entry.accessor,
    creation_time: entry.creationTime,
    creation_ttl: entry.ttl,
    display_name: entry.displayName,
    entity_id: entry.entityId,
    expire_time: entry.expireTime === 0 ? null : rfc3339(entry.expireTime),
    explicit_max_ttl: entry.explicitMaxTtl,
    id: token,
    issue_time: rfc3339(entry.creationTime * 1000),
    meta: metaOrNull(entry.meta),
    num_uses: Math.max(0, entry.numUses),
    orphan: entry.orphan,
    path: entry.path,
    policies: [...entry.policies],
    renewable: entry.renewable,
    ttl: remainingSeconds(entry, nowMs),
    type: entry.type,
  };
  if (entry.period > 0) data.period = entry.period;
  if (entry.lastRenewalTime > 0) {
    data.last_renewal_time = entry.lastRenewalTime;
    data.last_renewal = rfc3339(entry.lastRenewalTime * 1000);
  }
  if (entry.role) data.role = entry.role;
  if (identityPolicies.length > 0) data.identity_policies = [...identityPolicies];
  if (entry.boundCidrs && entry.boundCidrs.length > 0) data.bound_cidrs = [...entry.boundCidrs];
  return data;
}

/** The first entry that is not a CIDR block, or undefined when all are. */
export const invalidCidr = (cidrs: readonly string[]): string | undefined => cidrs.find((c) => !isCidrBlock(c));

/** True when the token has no CIDR binding or `remoteAddress` falls inside one of its blocks. */
export function boundCidrsAllow(entry: TokenEntry, remoteAddress: string | undefined): boolean {
  if (!entry.boundCidrs || entry.boundCidrs.length === 0) return true;
  return addressAllowed(remoteAddress, entry.boundCidrs);
}
