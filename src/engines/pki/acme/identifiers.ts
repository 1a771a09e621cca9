/**
 * Order identifiers (RFC 8555 section 9.7.7; RFC 8738 for ip): DNS names, a wildcard only as
 * the whole leftmost label, and IP addresses, normalized so the same name is compared alike
 * in the order, its authorizations and the CSR.
 */
import { isIP } from 'node:net';
import { isHostname } from '../names.js';
import type { ChallengeType, Identifier } from './challenges/types.js';
import { problem } from './problem.js';

const MAX_IDENTIFIERS = 100;

export function parseIdentifiers(v: unknown): Identifier[] {
  if (!Array.isArray(v) || v.length === 0) throw problem('malformed', 'identifiers must be a non-empty list');
  if (v.length > MAX_IDENTIFIERS) throw problem('rejectedIdentifier', `at most ${MAX_IDENTIFIERS} identifiers per order`);
  const out: Identifier[] = [];
  for (const raw of v) {
    const { type, value } = (raw ?? {}) as { type?: unknown; value?: unknown };
    if (typeof value !== 'string' || value === '') throw problem('malformed', 'each identifier needs a string value');
    let id: Identifier;
    if (type === 'dns') {
      const name = value.toLowerCase().replace(/\.$/, '');
      if (isIP(name) !== 0) throw problem('malformed', `"${name}" is an IP address: use an identifier of type ip`);
      if (!isHostname(name) || name.indexOf('*', 1) !== -1) throw problem('rejectedIdentifier', `"${name.slice(0, 260)}" is not a valid DNS name`);
      id = { type: 'dns', value: name };
    } else if (type === 'ip') {
      if (isIP(value) === 0) throw problem('malformed', `"${value.slice(0, 60)}" is not an IP address`);
      id = { type: 'ip', value: canonicalIp(value) };
    } else {
      throw problem('unsupportedIdentifier', `unsupported identifier type "${String(type)}": use dns or ip`);
    }
    if (!out.some((o) => o.type === id.type && o.value === id.value)) out.push(id);
  }
  return out;
}

/** One spelling per address, so "::1" and "0:0::1" are the same identifier. */
export function canonicalIp(ip: string): string {
  if (isIP(ip) === 4) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

export const isWildcard = (id: Identifier) => id.type === 'dns' && id.value.startsWith('*.');

/** The challenges an identifier may be proven with: wildcards only by DNS, IPs never by DNS. */
export function challengeTypesFor(id: Identifier): ChallengeType[] {
  if (isWildcard(id)) return ['dns-01'];
  if (id.type === 'ip') return ['http-01', 'tls-alpn-01'];
  return ['http-01', 'dns-01', 'tls-alpn-01'];
}

export const identifierKey = (id: Identifier) => `${id.type}:${id.value}`;
