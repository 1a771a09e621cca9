/**
 * dns-01 (RFC 8555 section 8.4): a TXT record at _acme-challenge.<name> holds
 * base64url(SHA-256(key authorization)). A wildcard is proved at its base name. The
 * resolver follows CNAMEs, which is how people delegate the record to another zone.
 */
import { createHash } from 'node:crypto';
import type { Budget } from './budget.js';
import { normalizeName, resolveTxt } from './resolve.js';
import { ChallengeFailed, type ChallengeInput } from './types.js';

/** The TXT value a client must publish for `keyAuthorization`. */
export function dnsTxtValue(keyAuthorization: string): string {
  return createHash('sha256').update(keyAuthorization).digest('base64url');
}

export async function validateDns01(input: ChallengeInput, budget: Budget): Promise<void> {
  if (input.identifier.type !== 'dns') throw new ChallengeFailed('rejectedIdentifier', `dns-01 proves control of DNS names, not of the IP address ${input.identifier.value}`);
  const base = normalizeName(input.identifier.value).replace(/^\*\./, '');
  const record = `_acme-challenge.${base}`;
  const values = await resolveTxt(record, input.dnsResolver, budget);
  const want = dnsTxtValue(input.keyAuthorization);
  if (values.includes(want)) return;
  const found = values.length === 0 ? 'no TXT values' : `${values.length} TXT value(s): ${values.slice(0, 5).map((v) => JSON.stringify(v.slice(0, 64))).join(', ')}`;
  throw new ChallengeFailed('incorrectResponse', `${record} has ${found}; none is the expected ${JSON.stringify(want)}`);
}
