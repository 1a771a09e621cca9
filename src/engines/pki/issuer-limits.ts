/**
 * What an issuer's settings allow when it signs: whether it may issue at all (usage), and
 * how a requested notAfter past its own is treated (leaf_not_after_behavior: refuse, clamp,
 * or allow, as Vault's three settings do).
 */
import { invalidRequest } from '../../errors.js';
import { issuerSettings, type IssuerEntry } from './storage.js';

const label = (i: IssuerEntry) => (i.name ? `"${i.name}" (${i.id})` : `"${i.id}"`);

export function checkMayIssue(issuer: IssuerEntry): void {
  if (!issuerSettings(issuer).usage.includes('issuing-certificates')) {
    throw invalidRequest(`issuer ${label(issuer)} may not issue certificates: its usage lacks issuing-certificates`);
  }
}

export function notAfterWithin(issuer: IssuerEntry, wanted: Date): Date {
  if (Math.floor(wanted.getTime() / 1000) <= issuer.notAfter) return wanted;
  const behavior = issuerSettings(issuer).leafNotAfterBehavior;
  if (behavior === 'truncate') return new Date(issuer.notAfter * 1000);
  if (behavior === 'permit') return wanted;
  throw invalidRequest(
    `cannot satisfy request, as TTL would result in notAfter of ${wanted.toISOString()} that is beyond the expiration of the CA certificate at ${new Date(issuer.notAfter * 1000).toISOString()}`,
  );
}
