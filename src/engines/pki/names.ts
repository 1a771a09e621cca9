/**
 * Which names a role lets into a certificate, in Vault's order of checks: localhost, any
 * name, bare domains, subdomains, globs; then URIs, other SANs, subject serial numbers and
 * user ids against their own allow-lists. A refusal names the name, so the caller knows
 * which of its SANs the role does not cover.
 */
import { isIP } from 'node:net';
import { invalidRequest } from '../../errors.js';
import { globMatch } from '../../framework/glob.js';
import { parseOtherSan, type Role } from './paths/role-schema.js';
import type { EntityView } from './templates.js';
import { expandTemplates } from './templates.js';

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** A leftmost wildcard label: `*` alone or with other characters (RFC 6125 §6.4.3), as Vault takes it. */
const WILDCARD_LABEL = /^[A-Za-z0-9-]*\*[A-Za-z0-9-]*$/;

/** A DNS name; a leftmost wildcard label (`*.example.com`) is allowed here, the role decides. */
export function isHostname(name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  if (name.length === 0 || name.length > 253) return false;
  return labels.every((l, i) => LABEL.test(l) || (i === 0 && labels.length > 1 && WILDCARD_LABEL.test(l)));
}

export const isEmail = (s: string) => /^[^@\s]+@[^@\s]+$/.test(s);

/** The name a wildcard stands for, checked as a subdomain of its base: `*.a.com` → base `a.com`. */
function splitWildcard(name: string): { wildcard: boolean; base: string } {
  const first = name.split('.')[0]!;
  if (!first.includes('*')) return { wildcard: false, base: name };
  return { wildcard: true, base: name.slice(first.length + 1) };
}

function allowedByRole(role: Role, domains: string[], name: string): boolean {
  // An email is checked by its domain, as Vault does.
  const host = isEmail(name) ? name.split('@')[1]! : name;
  if (role.allow_localhost && (host === 'localhost' || host === 'localdomain')) return true;
  if (role.allow_any_name) return true;
  const { wildcard, base } = splitWildcard(host);
  for (const domain of domains) {
    if (role.allow_bare_domains && !wildcard && (host === domain || name === domain)) return true;
    if (role.allow_subdomains && (base.endsWith('.' + domain) || (wildcard && base === domain) || (!wildcard && host.endsWith('.' + domain)))) return true;
    if (role.allow_glob_domains && domain.includes('*') && (globMatch(domain, host) || globMatch(domain, name))) return true;
  }
  return false;
}

export interface RequestedNames {
  commonName?: string;
  dnsNames: string[];
  emails: string[];
  ipSans: string[];
  uriSans: string[];
  otherSans: string[];
  serialNumber?: string;
  userIds: string[];
}

/** Splits alt_names as Vault does: entries with an `@` are email SANs, the rest DNS names. */
export function splitAltNames(altNames: string[]): { dns: string[]; emails: string[] } {
  return { dns: altNames.filter((n) => !n.includes('@')), emails: altNames.filter((n) => n.includes('@')) };
}

/**
 * Vault's cn_validations: `disabled` takes any common name, unchecked against the role; else
 * a name with an `@` must be allowed as an email, any other as a hostname. False: skip the
 * role's name rules for it.
 */
function checkCommonName(role: Role, cn: string): boolean {
  const v = role.cn_validations;
  if (v.includes('disabled')) return false;
  if (cn.includes('@') && !v.includes('email')) throw invalidRequest(`common name ${cn} is not a valid hostname, as the role's cn_validations require`);
  if (!cn.includes('@') && !v.includes('hostname')) throw invalidRequest(`common name ${cn} is not a valid email address, as the role's cn_validations require`);
  return true;
}

/** Throws a 400 for the first name the role does not allow. `entity`: the caller's, for templates. */
export function checkNames(role: Role, req: RequestedNames, entity?: EntityView): void {
  const domains = role.allowed_domains_template ? expandTemplates(role.allowed_domains, entity) : role.allowed_domains;
  const check = (name: string, what: string) => {
    const host = isEmail(name) ? name.split('@')[1]! : name;
    const star = host.indexOf('*');
    if (star >= 0 && (host.indexOf('*', star + 1) >= 0 || host.indexOf('.') < star)) throw invalidRequest(`${what} ${name} has a wildcard outside its leftmost label, or more than one`);
    if (splitWildcard(host).wildcard && !role.allow_wildcard_certificates) throw invalidRequest(`${what} ${name} is a wildcard, and the role does not allow wildcard certificates`);
    if (role.enforce_hostnames && !isHostname(host)) throw invalidRequest(`${what} ${name} is not a valid hostname, and the role enforces hostnames`);
    if (!allowedByRole(role, domains, name)) throw invalidRequest(`${what} ${name} not allowed by this role`);
  };
  const cn = req.commonName;
  if (cn && checkCommonName(role, cn)) check(cn, 'common name');
  for (const n of req.dnsNames) if (n !== cn) check(n, 'subject alternate name');
  for (const e of req.emails) {
    if (!isEmail(e)) throw invalidRequest(`subject alternate name ${e} is not an email address`);
    if (e !== cn) check(e, 'subject alternate name');
  }
  for (const ip of req.ipSans) {
    if (!role.allow_ip_sans) throw invalidRequest(`IP Subject Alternative Names are not allowed in this role, but was provided ${ip}`);
    if (isIP(ip) === 0) throw invalidRequest(`the value "${ip}" is not a valid IP address`);
  }
  checkUris(role, req.uriSans, entity);
  checkOtherSans(role, req.otherSans);
  if (req.serialNumber && !role.allowed_serial_numbers.some((g) => globMatch(g, req.serialNumber!))) {
    throw invalidRequest(`serial_number ${req.serialNumber} not allowed by this role's allowed_serial_numbers`);
  }
  for (const id of req.userIds) {
    if (!role.allowed_user_ids.some((g) => g.toLowerCase() === id.toLowerCase() || globMatch(g, id))) throw invalidRequest(`user_id ${id} not allowed by this role's allowed_user_ids`);
  }
}

function checkUris(role: Role, uris: string[], entity?: EntityView): void {
  if (!uris.length) return;
  const allowed = role.allowed_uri_sans_template ? expandTemplates(role.allowed_uri_sans, entity) : role.allowed_uri_sans;
  if (!allowed.length) throw invalidRequest('URI Subject Alternative Names are not allowed in this role, but were provided via the API');
  for (const uri of uris) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(uri);
    } catch {
      parsed = undefined;
    }
    if (!parsed) throw invalidRequest(`uri_sans: "${uri}" is not a URI`);
    if (!allowed.some((g) => globMatch(g, uri))) throw invalidRequest(`URI Subject Alternative Name ${uri} not allowed by this role`);
  }
}

function checkOtherSans(role: Role, sans: string[]): void {
  for (const s of sans) {
    const parsed = parseOtherSan(s);
    if (!parsed) throw invalidRequest(`other_sans: "${s}" is not <oid>;UTF8:<value>`);
    const ok = role.allowed_other_sans.some((a) => {
      if (a === '*') return true;
      const allowed = parseOtherSan(a);
      return !!allowed && allowed.oid === parsed.oid && globMatch(allowed.value, parsed.value);
    });
    if (!ok) throw invalidRequest(`other SAN ${parsed.value} not allowed for OID ${parsed.oid} by this role`);
  }
}
