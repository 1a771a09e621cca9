/**
 * TTL arithmetic for token creation and renewal, kept pure so it can be tested alone.
 *
 * Decisions (following Vault's documented behaviour):
 * - A child token's TTL is NOT capped by its parent's remaining life. It is revoked together
 *   with its parent instead (revocation walks the parent index), so it can never outlive it.
 * - Tokens carrying the `root` policy may have ttl 0: they never expire and are not renewable.
 * - Periodic tokens: ttl = period at creation and on every renewal; only explicit_max_ttl
 *   limits them (the mount/system max TTL does not).
 * - Other tokens: ttl defaults to the mount/system default, and is capped by the max TTL and
 *   by explicit_max_ttl; renewals are capped by both, counted from the creation time.
 */
import { invalidRequest } from '../../errors.js';
import type { TokenEntry } from './token-entry.js';

/** Used only when neither the request nor the mount/system gives a default: Vault's 32 days. */
export const FALLBACK_DEFAULT_TTL = 32 * 24 * 3600;

export interface CreateTtlInput {
  ttl: number;
  explicitMaxTtl: number;
  period: number;
  /** true when the policies include `root` */
  rootPolicy: boolean;
  defaultTtl: number;
  maxTtl: number;
}

export interface TtlResult {
  ttl: number;
  warnings: string[];
}

const minPositive = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

export function resolveCreateTtl(input: CreateTtlInput): TtlResult {
  for (const [name, value] of Object.entries({ ttl: input.ttl, explicit_max_ttl: input.explicitMaxTtl, period: input.period })) {
    if (!Number.isInteger(value) || value < 0) throw invalidRequest(`${name} must be a non-negative number of seconds`);
  }
  const warnings: string[] = [];
  if (input.period > 0) {
    if (input.explicitMaxTtl > 0 && input.period > input.explicitMaxTtl) {
      warnings.push(`period of ${input.period}s is greater than explicit_max_ttl; the TTL is capped at ${input.explicitMaxTtl}s`);
      return { ttl: input.explicitMaxTtl, warnings };
    }
    return { ttl: input.period, warnings };
  }
  let ttl = input.ttl;
  if (ttl === 0 && !input.rootPolicy) ttl = input.defaultTtl > 0 ? input.defaultTtl : FALLBACK_DEFAULT_TTL;
  if (ttl === 0 && input.explicitMaxTtl > 0) ttl = input.explicitMaxTtl;
  const cap = minPositive(input.maxTtl, input.explicitMaxTtl);
  if (cap > 0 && ttl > cap) {
    warnings.push(`requested TTL of ${ttl}s is greater than the maximum of ${cap}s; the TTL is capped accordingly`);
    ttl = cap;
  }
  return { ttl, warnings };
}

export interface RenewResult {
  /** new expire time, unix ms */
  expireTime: number;
  warnings: string[];
}

/**
 * New expiry for a renewal at `nowMs`. `increment` 0 means "the token's own TTL";
 * `maxTtl` is the mount/system max (seconds, 0 = none), replaced by the entry's own
 * `maxTtl` when a login recorded one.
 */
export function computeRenewal(entry: TokenEntry, increment: number, maxTtl: number, nowMs: number): RenewResult {
  if (!Number.isInteger(increment) || increment < 0) throw invalidRequest('increment must be a non-negative number of seconds');
  if (!entry.renewable) throw invalidRequest('token is not renewable');
  const warnings: string[] = [];
  const periodic = entry.period > 0;
  const wanted = periodic ? entry.period : increment > 0 ? increment : entry.ttl;
  let expireTime = nowMs + wanted * 1000;
  const created = entry.creationTime * 1000;
  const limits: number[] = [];
  if (entry.explicitMaxTtl > 0) limits.push(created + entry.explicitMaxTtl * 1000);
  // A login token keeps to the max TTL its method gave it, not the token mount's.
  const max = entry.maxTtl && entry.maxTtl > 0 ? entry.maxTtl : maxTtl;
  if (!periodic && max > 0) limits.push(created + max * 1000);
  const limit = limits.length > 0 ? Math.min(...limits) : 0;
  if (limit > 0 && expireTime > limit) {
    expireTime = limit;
    warnings.push('TTL of the renewed token exceeds its maximum TTL; the TTL is capped accordingly');
  }
  if (expireTime <= nowMs) throw invalidRequest('token has reached its maximum TTL and cannot be renewed');
  return { expireTime, warnings };
}
