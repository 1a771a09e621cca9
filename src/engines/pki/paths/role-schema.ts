/**
 * A PKI role's fields, Vault's defaults, and the checks a role must pass before it is stored.
 * A role read answers every field, so a Vault client sees the shape it expects; a stored role
 * is always a checked one, so issuance never meets a bad usage name or OID.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { f } from '../../../framework/fields.js';
import { keySpec } from '../keys.js';

const list = () => f.commaList().default([]);
const bool = (d: boolean) => f.bool().default(d);

export const roleFields = {
  allowed_domains: list().describe('Domains names may be in (see allow_bare_domains, allow_subdomains, allow_glob_domains)'),
  allowed_domains_template: bool(false).describe('allowed_domains may hold identity templates such as {{identity.entity.name}}'),
  allow_subdomains: bool(false).describe('Names below an allowed domain, at any depth'),
  allow_glob_domains: bool(false).describe('allowed_domains entries may hold * globs'),
  allow_bare_domains: bool(false).describe('An allowed domain itself may be a name'),
  allow_localhost: bool(true).describe('"localhost" and "localdomain" may be names'),
  allow_any_name: bool(false).describe('Any name at all (enforce_hostnames still applies)'),
  allow_wildcard_certificates: bool(true).describe('Names may start with a wildcard label such as *.example.com'),
  enforce_hostnames: bool(true).describe('DNS names must be valid hostnames'),
  allow_ip_sans: bool(true).describe('IP addresses may be asked for in ip_sans'),
  allowed_uri_sans: list().describe('URIs (globs allowed) that may be asked for in uri_sans'),
  allowed_uri_sans_template: bool(false).describe('allowed_uri_sans may hold identity templates'),
  allowed_other_sans: list().describe('other_sans allowed, as <oid>;UTF8:<value> (value globs allowed), or *'),
  allowed_serial_numbers: list().describe('Subject serial numbers (globs allowed) that may be asked for'),
  allowed_user_ids: list().describe('User ids (globs allowed) that may be asked for in user_ids'),
  server_flag: bool(true).describe('Extended key usage serverAuth'),
  client_flag: bool(true).describe('Extended key usage clientAuth'),
  code_signing_flag: bool(false).describe('Extended key usage codeSigning'),
  email_protection_flag: bool(false).describe('Extended key usage emailProtection'),
  key_type: z.string().default('rsa').describe('rsa, ec, ed25519, or any (sign only)'),
  key_bits: f.int().default(0).describe('0: 2048 for rsa, 256 for ec'),
  signature_bits: f.int().default(0).describe('Hash size of the issuer signature: 256, 384 or 512; 0 picks one by key'),
  use_pss: bool(false).describe('RSA issuers sign with PSS instead of PKCS#1 v1.5'),
  key_usage: f.commaList().default(['DigitalSignature', 'KeyAgreement', 'KeyEncipherment']).describe('Key usages, by Go name'),
  ext_key_usage: list().describe('More extended key usages, by Go name (ServerAuth, ClientAuth, CodeSigning…)'),
  ext_key_usage_oids: list().describe('More extended key usages, by OID'),
  ttl: f.duration().default(0).describe("Default lifetime; 0: the mount's default lease TTL"),
  max_ttl: f.duration().default(0).describe("Longest lifetime; 0: the mount's max lease TTL"),
  not_before_duration: f.duration().default(30).describe('How far notBefore is set in the past'),
  not_after: z.string().default('').describe('A fixed notAfter (RFC 3339, UTC) instead of ttl'),
  organization: list(),
  ou: list(),
  country: list(),
  locality: list(),
  province: list(),
  street_address: list(),
  postal_code: list(),
  no_store: bool(false).describe('Do not keep issued certificates (they cannot be listed or revoked)'),
  no_store_metadata: bool(false).describe('Keep no metadata of issued certificates (Coffer keeps none anyway)'),
  generate_lease: bool(false).describe('Answer issue/sign with a lease; revoking it revokes the certificate'),
  require_cn: bool(true).describe('common_name must be given'),
  cn_validations: f.commaList().default(['email', 'hostname']).describe('What a common name must be: email, hostname, or disabled'),
  use_csr_common_name: bool(true).describe("sign: take the CSR's common name when none is given"),
  use_csr_sans: bool(true).describe("sign: take the CSR's SANs"),
  policy_identifiers: list().describe('Certificate policy OIDs'),
  basic_constraints_valid_for_non_ca: bool(false).describe('Put a basicConstraints extension (CA:FALSE) in leaves'),
  issuer_ref: z.string().default('default').describe('The issuer that signs for this role'),
};

export type Role = z.infer<z.ZodObject<typeof roleFields>>;

/** Key usages by the names Vault takes (Go's x509 names, without the KeyUsage prefix), as DER bits. */
export const KEY_USAGE_BITS: Record<string, number> = {
  digitalsignature: 1 << 0,
  contentcommitment: 1 << 1,
  keyencipherment: 1 << 2,
  dataencipherment: 1 << 3,
  keyagreement: 1 << 4,
  certsign: 1 << 5,
  crlsign: 1 << 6,
  encipheronly: 1 << 7,
  decipheronly: 1 << 8,
};

/** Extended key usages by Go's names (Vault's ext_key_usage), lower-cased. */
export const EXT_KEY_USAGE_OIDS: Record<string, string> = {
  any: '2.5.29.37.0',
  serverauth: '1.3.6.1.5.5.7.3.1',
  clientauth: '1.3.6.1.5.5.7.3.2',
  codesigning: '1.3.6.1.5.5.7.3.3',
  emailprotection: '1.3.6.1.5.5.7.3.4',
  ipsecendsystem: '1.3.6.1.5.5.7.3.5',
  ipsectunnel: '1.3.6.1.5.5.7.3.6',
  ipsecuser: '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  ocspsigning: '1.3.6.1.5.5.7.3.9',
  microsoftservergatedcrypto: '1.3.6.1.4.1.311.10.3.3',
  netscapeservergatedcrypto: '2.16.840.1.113730.4.1',
  microsoftcommercialcodesigning: '1.3.6.1.4.1.311.2.1.22',
  microsoftkernelcodesigning: '1.3.6.1.4.1.311.61.1.1',
};

export const usageKey = (u: string) => u.toLowerCase().replace(/^(extkeyusage|keyusage)/, '');

/** A dotted OID: at least two arcs, the first 0–2. */
export const isOid = (s: string) => /^[0-2](\.(0|[1-9]\d*))+$/.test(s);

const OTHER_SAN = /^([0-9.]+);(UTF8|UTF-8):(.*)$/i;

/** `<oid>;UTF8:<value>` as Vault takes other_sans; null when it is not that shape. */
export function parseOtherSan(s: string): { oid: string; value: string } | null {
  const m = OTHER_SAN.exec(s);
  if (!m || !isOid(m[1]!)) return null;
  return { oid: m[1]!, value: m[3]! };
}

/** Vault's default signature hash for a key: SHA-256, or the curve's own for EC. */
function defaultSignatureBits(type: string, keyBits: number): number {
  if (type === 'ec') return keyBits === 384 ? 384 : keyBits === 521 ? 512 : 256;
  if (type === 'ed25519') return 0;
  return 256;
}

/** The role as stored and read: defaults filled in (key_bits, signature_bits), every field checked. */
export function checkRole(role: Role): Role {
  let bits = role.key_bits;
  if (role.key_type !== 'any') bits = keySpec(role.key_type, role.key_bits).bits;
  else if (bits !== 0) throw invalidRequest(`key_bits ${bits} does not fit key_type any: leave it 0`);
  let sigBits = role.signature_bits;
  if (![0, 256, 384, 512].includes(sigBits)) throw invalidRequest(`unsupported signature_bits ${sigBits}: use 256, 384 or 512`);
  if (sigBits === 0) sigBits = defaultSignatureBits(role.key_type, bits);
  for (const u of role.key_usage) if (KEY_USAGE_BITS[usageKey(u)] === undefined) throw invalidRequest(`unknown key_usage "${u}"`);
  for (const u of role.ext_key_usage) if (EXT_KEY_USAGE_OIDS[usageKey(u)] === undefined) throw invalidRequest(`unknown ext_key_usage "${u}"`);
  for (const o of role.ext_key_usage_oids) if (!isOid(o)) throw invalidRequest(`ext_key_usage_oids: "${o}" is not an OID`);
  for (const o of role.policy_identifiers) if (!isOid(o)) throw invalidRequest(`policy_identifiers: "${o}" is not an OID`);
  for (const s of role.allowed_other_sans) {
    if (s !== '*' && !parseOtherSan(s)) throw invalidRequest(`allowed_other_sans: "${s}" is not <oid>;UTF8:<value> or *`);
  }
  const cnv = role.cn_validations.map((v) => v.toLowerCase());
  for (const v of cnv) if (!['email', 'hostname', 'disabled'].includes(v)) throw invalidRequest(`cn_validations: unknown value "${v}": use email, hostname or disabled`);
  if (cnv.includes('disabled') && cnv.length > 1) throw invalidRequest('cn_validations: "disabled" cannot be combined with other values');
  if (role.generate_lease && role.no_store) throw invalidRequest('generate_lease and no_store cannot both be true: a leased certificate must be kept to be revoked');
  if (role.max_ttl && role.ttl > role.max_ttl) throw invalidRequest(`ttl (${role.ttl}s) may not be longer than max_ttl (${role.max_ttl}s)`);
  if (role.not_after && !isRfc3339(role.not_after)) throw invalidRequest(`not_after "${role.not_after}" is not an RFC 3339 time such as 2030-01-01T00:00:00Z`);
  return { ...role, key_bits: bits, signature_bits: sigBits, cn_validations: cnv.length ? cnv : ['email', 'hostname'] };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const isRfc3339 = (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s));
