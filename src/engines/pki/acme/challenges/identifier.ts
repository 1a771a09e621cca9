/**
 * What an identifier must look like before anything is resolved or connected to: the value
 * ends up in DNS queries, URLs and SNI, where a stray "/" or "@" would change their meaning.
 */
import { isIP } from 'node:net';
import { normalizeName } from './resolve.js';
import { ChallengeFailed, type Identifier } from './types.js';

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const DNS_NAME = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);

/** Throws rejectedIdentifier for a malformed identifier. */
export function checkIdentifier(identifier: Identifier): void {
  const value = normalizeName(identifier.value);
  if (identifier.type === 'ip') {
    if (isIP(value) === 0) throw new ChallengeFailed('rejectedIdentifier', `${JSON.stringify(identifier.value)} is not an IP address`);
    return;
  }
  if (identifier.type !== 'dns' || value.length > 253 || !DNS_NAME.test(value) || isIP(value) !== 0) {
    throw new ChallengeFailed('rejectedIdentifier', `${JSON.stringify(identifier.value)} is not a DNS name`);
  }
}
