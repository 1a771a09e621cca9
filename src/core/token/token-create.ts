/** Building a new TokenEntry from creation options: validation, policies and TTL rules. */
import { invalidRequest } from '../../errors.js';
import { RESPONSE_WRAPPING_POLICY_NAME } from '../policy/index.js';
import { normalizePolicies, type CreateTokenOptions, type TokenEntry } from './token-entry.js';
import { newAccessor, newCubbyholeId } from './token-ids.js';
import { resolveCreateTtl } from './token-ttl.js';

const CHOSEN_ID = /^[\x21-\x7e]{1,512}$/;

/** A chosen token value (dev root token, `id` on create) must be printable ASCII without spaces. */
export function checkChosenId(id: string): void {
  if (!CHOSEN_ID.test(id)) throw invalidRequest('a chosen token id must be 1 to 512 printable characters without spaces');
}

export function buildEntry(
  opts: CreateTokenOptions,
  hashedId: string,
  parentHashedId: string,
  nowMs: number,
): { entry: TokenEntry; warnings: string[] } {
  const policies = normalizePolicies(opts.policies, !opts.noDefaultPolicy);
  // A token holding this policy is taken for a wrapping token: whatever path tries to hand
  // it out (a login, a token role's allowed list), only the wrapping step may.
  if (policies.includes(RESPONSE_WRAPPING_POLICY_NAME) && !opts.responseWrapping) {
    throw invalidRequest(`the "${RESPONSE_WRAPPING_POLICY_NAME}" policy is reserved for response-wrapping tokens`);
  }
  const numUses = opts.numUses ?? 0;
  if (!Number.isInteger(numUses) || numUses < 0) throw invalidRequest('num_uses must be a non-negative integer');
  const period = opts.period ?? 0;
  const explicitMaxTtl = opts.explicitMaxTtl ?? 0;
  const { ttl, warnings } = resolveCreateTtl({
    ttl: opts.ttl ?? 0, explicitMaxTtl, period, rootPolicy: policies.includes('root'),
    defaultTtl: opts.defaultTtl ?? 0, maxTtl: opts.maxTtl ?? 0,
  });
  const entry: TokenEntry = {
    hashedId,
    accessor: newAccessor(),
    parentHashedId,
    policies,
    path: opts.path,
    meta: { ...(opts.meta ?? {}) },
    displayName: opts.displayName ?? 'token',
    numUses,
    creationTime: Math.floor(nowMs / 1000),
    ttl,
    explicitMaxTtl,
    period,
    // A token that never expires has nothing to renew; a periodic token exists to be renewed.
    renewable: ttl === 0 ? false : period > 0 || (opts.renewable ?? true),
    type: 'service',
    cubbyholeId: newCubbyholeId(),
    entityId: opts.entityId ?? '',
    orphan: parentHashedId === '',
    expireTime: ttl > 0 ? nowMs + ttl * 1000 : 0,
    lastRenewalTime: 0,
  };
  if (opts.role) entry.role = opts.role;
  if (opts.boundCidrs && opts.boundCidrs.length > 0) entry.boundCidrs = [...opts.boundCidrs];
  if (opts.renewalMaxTtl && opts.renewalMaxTtl > 0) entry.maxTtl = opts.renewalMaxTtl;
  if (opts.internalData && Object.keys(opts.internalData).length > 0) entry.internalData = { ...opts.internalData };
  return { entry, warnings };
}
