/**
 * One leaf certificate from a role, an issuer and a public key: lifetime within the role's
 * max_ttl and never past the issuer (Vault's default leaf_not_after_behavior `err`), usages
 * from the role, stored by serial unless the role says no_store.
 */
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import type { HandlerContext } from '../../framework/backend.js';
import { putJson } from '../../logical/storage.js';
import { buildCertificate, colonHex, randomSerialHex, unixSeconds } from './cert.js';
import { checkMayIssue, notAfterWithin } from './issuer-limits.js';
import { signerFor } from './signer-cache.js';
import { checkNames } from './names.js';
import { EXT_KEY_USAGE_OIDS, KEY_USAGE_BITS, type Role } from './paths/roles.js';
import { getKey, issuerOrFail } from './storage.js';

export interface LeafRequest {
  commonName?: string;
  dnsNames: string[];
  ipSans: string[];
  /** seconds; 0 = the role's ttl */
  ttl: number;
  publicKey: CryptoKey | x509.PublicKey;
  excludeCnFromSans: boolean;
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

const usageKey = (u: string) => u.toLowerCase().replace(/^(extkeyusage|keyusage)/, '');

export async function issueLeaf(ctx: HandlerContext<unknown>, role: Role, req: LeafRequest): Promise<Record<string, unknown>> {
  if (role.require_cn && !req.commonName) throw invalidRequest('the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true');
  const dnsNames = [...req.dnsNames];
  if (req.commonName && !req.excludeCnFromSans && !dnsNames.includes(req.commonName)) dnsNames.unshift(req.commonName);
  checkNames(role, req.commonName, dnsNames, req.ipSans);

  const issuer = await issuerOrFail(ctx.storage, req.issuerRef ?? role.issuer_ref);
  const keyEntry = await getKey(ctx.storage, issuer.keyId);
  if (!keyEntry) throw invalidRequest(`issuer "${issuer.name || issuer.id}" has no key to sign with`);
  checkMayIssue(issuer);

  // The role's max_ttl, itself never past the mount's.
  const maxTtl = Math.min(role.max_ttl || Infinity, ctx.system.maxLeaseTtl);
  const ttl = Math.min(req.ttl || role.ttl || ctx.system.defaultLeaseTtl, maxTtl);
  const now = ctx.clock();
  const notAfter = notAfterWithin(issuer, new Date(now + ttl * 1000));
  let keyUsage = 0;
  for (const u of role.key_usage) keyUsage |= KEY_USAGE_BITS[usageKey(u)] ?? 0;
  const eku = [...(role.server_flag ? [EXT_KEY_USAGE_OIDS.serverauth!] : []), ...(role.client_flag ? [EXT_KEY_USAGE_OIDS.clientauth!] : [])];
  for (const u of role.ext_key_usage) {
    const oid = EXT_KEY_USAGE_OIDS[usageKey(u)]!;
    if (!eku.includes(oid)) eku.push(oid);
  }

  const serialHex = randomSerialHex(ctx.random);
  const cert = await buildCertificate(
    {
      serialHex,
      subject: { commonName: req.commonName, organization: role.organization, ou: role.ou, country: role.country },
      subjectName: req.subjectName,
      publicKey: req.publicKey,
      notBefore: new Date(now - role.not_before_duration * 1000),
      notAfter,
      isCa: false,
      dnsNames,
      ipAddresses: req.ipSans,
      keyUsage,
      extKeyUsage: eku,
    },
    await signerFor(ctx.mount, issuer, keyEntry),
  );
  const pem = cert.toString('pem') + '\n';
  const serial = colonHex(serialHex);
  if (!role.no_store) await putJson(ctx.storage, certKey(serial), { certificate: pem, issuerId: issuer.id, revocationTime: 0 } satisfies StoredCert);
  return { certificate: pem, issuing_ca: issuer.certificate, ca_chain: issuer.caChain, serial_number: serial, expiration: unixSeconds(cert.notAfter) };
}
