/**
 * What makes a token a wrapping token, and the rules for a wrapping TTL. A wrapping token
 * carries exactly one policy, the built-in `response-wrapping`, which no other token can be
 * given (token-create.ts refuses it).
 */
import { invalidRequest } from '../../errors.js';
import type { Request, Response } from '../../logical/request.js';
import { RESPONSE_WRAPPING_POLICY_NAME } from '../policy/index.js';

/** Vault's words for every wrapping token that is unknown, used up, expired or not a wrapping token. */
export const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist';

export const isWrappingToken = (entry: { policies: readonly string[] }): boolean =>
  entry.policies.length === 1 && entry.policies[0] === RESPONSE_WRAPPING_POLICY_NAME;

/** A requested wrapping TTL must be at least a second and at most the system's max lease TTL. */
export function checkWrapTtl(ttl: number, maxTtl: number): void {
  if (!Number.isInteger(ttl) || ttl < 1) throw invalidRequest('invalid wrapping TTL: it must be at least 1 second');
  if (maxTtl > 0 && ttl > maxTtl) {
    throw invalidRequest(`wrapping TTL of ${ttl}s is greater than the maximum of ${maxTtl}s allowed on this server`);
  }
}

/** The TTL to wrap with: the shorter of the client's request and the handler's demand; undefined when neither asks. */
export function wrapTtlFor(req: Pick<Request, 'wrapTtl'>, res: Pick<Response, 'wrapTtl'>): number | undefined {
  if (res.wrapTtl === undefined) return req.wrapTtl;
  if (req.wrapTtl === undefined) return res.wrapTtl;
  return Math.min(req.wrapTtl, res.wrapTtl);
}
