/**
 * One leaf certificate from a role, an issuer and a public key: lifetime within the role's
 * max_ttl and never past the issuer (Vault's default leaf_not_after_behavior `err`), usages
 * from the role, stored by serial unless the role says no_store.
 */
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import type { HandlerContext } from '../../framework/backend.js';
import { goDuration } from '../../logical/time-format.js';
import { putJson } from '../../logical/storage.js';
import { buildCertificate, colonHex, randomSerialHex, unixSeconds } from './cert.js';
import { checkMayIssue, notAfterWithin } from './issuer-limits.js';
import { checkNames, isHostname } from './names.js';
import { EXT_KEY_USAGE_OIDS, KEY_USAGE_BITS, parseOtherSan, usageKey, type Role } from './paths/role-schema.js';
import { signerFor } from './signer-cache.js';
import { getKey, issuerOrFail } from './storage.js';
import type { EntityView } from './templates.js';
import { certExtensionsFor } from './urls.js';

export interface LeafRequest {
  commonName?: string;
  dnsNames: string[];
  ipSans: string[];
  /** seconds; 0 = the role's ttl */
  ttl: number;
  publicKey: CryptoKey | x509.PublicKey;
  excludeCnFromSans: boolean;
  emails?: string[];
  uriSans?: string[];
  /** `<oid>;UTF8:<value>` */
  otherSans?: string[];
  /** The subject's serialNumber attribute */
  serialNumber?: string;
  userIds?: string[];
  /** RFC 3339; instead of ttl */
  notAfter?: string;
  /** seconds; undefined = the role's */
  notBeforeDuration?: number;
  /** Filled with Vault's warnings for the answer (a ttl cut to max_ttl). */
  warnings?: string[];
  /** issuer/:ref/issue|sign: this issuer instead of the role's issuer_ref */
  issuerRef?: string;
  /** sign-verbatim: the CSR's whole subject instead of common_name and the role's O/OU/C */
  subjectName?: x509.Name;
}

export interface StoredCert {
  certificate: string;
  issuerId: string;
  /** unix seconds; 0 while valid */
  revocationTime: number;
}

/** Serials are stored with dashes (no ':' in a storage key) and shown with colons. */
export const certKey = (serial: string) => `certs/${serial.toLowerCase().replace(/:/g, '-')}`;

/** The caller's entity for role templates; undefined for a token without one (root). */
function callerEntity(ctx: HandlerContext<unknown>): EntityView | undefined {
  const id = ctx.caller?.entityId;
  const e = id ? ctx.identity?.entity(id) : undefined;
  return e && id ? { id, name: e.name, metadata: e.metadata, aliases: e.aliases } : undefined;
}

/** notAfter from the role's not_after, the request's, or a ttl capped by max_ttl and the mount (with Vault's warning). */
function notAfterOf(ctx: HandlerContext<unknown>, role: Role, req: LeafRequest, now: number, warnings: string[]): Date {
  const fixed = role.not_after || req.notAfter;
  if (fixed && req.ttl) throw invalidRequest('Either ttl or not_after should be provided. Both should not be provided in the same request.');
  if (fixed) {
    const at = new Date(fixed);
    if (at.getTime() <= now) throw invalidRequest(`not_after ${fixed} is in the past`);
    return at;
  }
  const maxTtl = Math.min(role.max_ttl || ctx.system.maxLeaseTtl, ctx.system.maxLeaseTtl);
  const wanted = req.ttl || role.ttl || ctx.system.defaultLeaseTtl;
  if (wanted > maxTtl) warnings.push(`TTL "${goDuration(wanted)}" is longer than permitted maxTTL "${goDuration(maxTtl)}", so maxTTL is being used`);
  return new Date(now + Math.min(wanted, maxTtl) * 1000);
}

function extKeyUsages(role: Role): string[] {
  const eku: string[] = [];
  const add = (oid: string) => eku.includes(oid) || eku.push(oid);
  if (role.server_flag) add(EXT_KEY_USAGE_OIDS.serverauth!);
  if (role.client_flag) add(EXT_KEY_USAGE_OIDS.clientauth!);
  if (role.code_signing_flag) add(EXT_KEY_USAGE_OIDS.codesigning!);
  if (role.email_protection_flag) add(EXT_KEY_USAGE_OIDS.emailprotection!);
  for (const u of role.ext_key_usage) add(EXT_KEY_USAGE_OIDS[usageKey(u)]!);
  for (const oid of role.ext_key_usage_oids) add(oid);
  return eku;
}

/** The certificate's names, checked against the role: a 400 naming the first one it does not allow. */
export function checkedNames(ctx: HandlerContext<unknown>, role: Role, req: Omit<LeafRequest, 'publicKey'>) {
  if (role.require_cn && !req.commonName) throw invalidRequest('the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false');
  const dnsNames = [...req.dnsNames];
  const emails = [...(req.emails ?? [])];
  const cn = req.commonName;
  // The common name is also a SAN unless asked not to be: an email one when it holds an `@`,
  // a DNS one when it is a hostname, none otherwise (a free-form name under cn_validations disabled).
  if (cn && !req.excludeCnFromSans) {
    if (cn.includes('@')) {
      if (!emails.includes(cn)) emails.unshift(cn);
    } else if (isHostname(cn) && !dnsNames.includes(cn)) dnsNames.unshift(cn);
  }
  const names = { commonName: cn, dnsNames, emails, ipSans: req.ipSans, uriSans: req.uriSans ?? [], otherSans: req.otherSans ?? [], serialNumber: req.serialNumber, userIds: req.userIds ?? [] };
  checkNames(role, names, callerEntity(ctx));
  return names;
}

export async function issueLeaf(ctx: HandlerContext<unknown>, role: Role, req: LeafRequest): Promise<Record<string, unknown>> {
  const { commonName: cn, dnsNames, emails, uriSans, otherSans, userIds } = checkedNames(ctx, role, req);

  const issuer = await issuerOrFail(ctx.storage, req.issuerRef ?? role.issuer_ref);
  const keyEntry = await getKey(ctx.storage, issuer.keyId);
  if (!keyEntry) throw invalidRequest(`issuer "${issuer.name || issuer.id}" has no key to sign with`);
  checkMayIssue(issuer);

  const now = ctx.clock();
  // leaf_not_after_behavior decides what happens past the issuer's own expiry.
  const notAfter = notAfterWithin(issuer, notAfterOf(ctx, role, req, now, req.warnings ?? []));
  let keyUsage = 0;
  for (const u of role.key_usage) keyUsage |= KEY_USAGE_BITS[usageKey(u)] ?? 0;

  const serialHex = randomSerialHex(ctx.random);
  const cert = await buildCertificate(
    {
      serialHex,
      subject: {
        commonName: cn,
        organization: role.organization,
        ou: role.ou,
        country: role.country,
        locality: role.locality,
        province: role.province,
        streetAddress: role.street_address,
        postalCode: role.postal_code,
        serialNumber: req.serialNumber,
        userIds,
      },
      subjectName: req.subjectName,
      publicKey: req.publicKey,
      notBefore: new Date(now - (req.notBeforeDuration ?? role.not_before_duration) * 1000),
      notAfter,
      isCa: false,
      dnsNames,
      ipAddresses: req.ipSans,
      emails,
      uris: uriSans,
      otherNames: otherSans.map((s) => parseOtherSan(s)!),
      policyIdentifiers: role.policy_identifiers,
      basicConstraints: role.basic_constraints_valid_for_non_ca,
      keyUsage,
      extKeyUsage: extKeyUsages(role),
      extensions: await certExtensionsFor(ctx.storage, issuer),
    },
    await signerFor(ctx.mount, issuer, keyEntry, role),
  );
  const pem = cert.toString('pem') + '\n';
  const serial = colonHex(serialHex);
  if (!role.no_store) await putJson(ctx.storage, certKey(serial), { certificate: pem, issuerId: issuer.id, revocationTime: 0 } satisfies StoredCert);
  return { certificate: pem, issuing_ca: issuer.certificate, ca_chain: issuer.caChain, serial_number: serial, expiration: unixSeconds(cert.notAfter) };
}
