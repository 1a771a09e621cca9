/**
 * Which names a role lets into a certificate, in Vault's order of checks: localhost, any
 * name, bare domains, subdomains, globs. A refusal names the name, so the caller knows which
 * of its SANs the role does not cover.
 */
import { isIP } from 'node:net';
import { invalidRequest } from '../../errors.js';
import { globMatch } from '../../framework/glob.js';
import type { Role } from './paths/roles.js';

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS name; a leading `*.` (a wildcard certificate) is allowed, as Vault allows it by default. */
export function isHostname(name: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  return bare.replace(/\.$/, '').split('.').every((l) => LABEL.test(l));
}

function allowedByRole(role: Role, name: string): boolean {
  if (role.allow_localhost && (name === 'localhost' || name === 'localdomain')) return true;
  if (role.allow_any_name) return true;
  // A wildcard asks for every name one label below its base: check the base as a subdomain.
  const wildcard = name.startsWith('*.');
  const base = wildcard ? name.slice(2) : name;
  for (const domain of role.allowed_domains) {
    if (role.allow_bare_domains && !wildcard && name === domain) return true;
    if (role.allow_subdomains && (base.endsWith('.' + domain) || (wildcard && base === domain))) return true;
    if (role.allow_glob_domains && domain.includes('*') && globMatch(domain, name)) return true;
  }
  return false;
}

/** Throws a 400 for the first name the role does not allow. */
export function checkNames(role: Role, commonName: string | undefined, dnsNames: string[], ipSans: string[]): void {
  const check = (name: string, what: string) => {
    if (role.enforce_hostnames && !isHostname(name)) throw invalidRequest(`${what} ${name} is not a valid hostname, and the role enforces hostnames`);
    if (!allowedByRole(role, name)) throw invalidRequest(`${what} ${name} not allowed by this role`);
  };
  if (commonName) check(commonName, 'common name');
  for (const n of dnsNames) if (n !== commonName) check(n, 'subject alternate name');
  for (const ip of ipSans) {
    if (!role.allow_ip_sans) throw invalidRequest(`IP Subject Alternative Names are not allowed in this role, but was provided ${ip}`);
    if (isIP(ip) === 0) throw invalidRequest(`the value "${ip}" is not a valid IP address`);
  }
}
