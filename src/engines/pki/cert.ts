/**
 * Certificates as this engine makes them: random positive serials of 159 bits (well past the
 * 64 bits CA/B rules ask for), subject and authority key identifiers, and the extensions a
 * CA or a leaf needs for `openssl verify` and TLS stacks to accept it.
 */
import type { webcrypto } from 'node:crypto';
import { AsnConvert, AsnUtf8StringConverter } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { signingAlgorithmOf, type KeySpec } from './keys.js';

type CryptoKey = webcrypto.CryptoKey;

/** Hex of a random positive serial: the top bit cleared so DER needs no sign byte, never zero. */
export function randomSerialHex(random: (n: number) => Buffer): string {
  const b = random(20);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

/** Vault's serial_number form: lower-case hex bytes joined by ':'. */
export function colonHex(hex: string): string {
  const even = hex.length % 2 ? '0' + hex : hex;
  return even.toLowerCase().match(/../g)!.join(':');
}

export interface Subject {
  commonName?: string;
  organization?: string[];
  ou?: string[];
  country?: string[];
  locality?: string[];
  province?: string[];
  streetAddress?: string[];
  postalCode?: string[];
  /** The subject's serialNumber attribute (not the certificate's serial). */
  serialNumber?: string;
  userIds?: string[];
}

/** The subject as @peculiar/x509's JSON name (no string DN: values are never escaped by hand). */
export function nameOf(s: Subject): x509.JsonName {
  const name: x509.JsonName = [];
  for (const c of s.country ?? []) name.push({ C: [c] });
  for (const o of s.organization ?? []) name.push({ O: [o] });
  for (const u of s.ou ?? []) name.push({ OU: [u] });
  for (const l of s.locality ?? []) name.push({ L: [l] });
  for (const p of s.province ?? []) name.push({ ST: [p] });
  for (const a of s.streetAddress ?? []) name.push({ '2.5.4.9': [a] });
  for (const p of s.postalCode ?? []) name.push({ '2.5.4.17': [p] });
  if (s.commonName) name.push({ CN: [s.commonName] });
  if (s.serialNumber) name.push({ '2.5.4.5': [s.serialNumber] });
  for (const u of s.userIds ?? []) name.push({ '0.9.2342.19200300.100.1.1': [u] });
  return name;
}

export interface Signer {
  /** Absent for a self-signed root: it signs itself. */
  certificate?: x509.X509Certificate;
  key: CryptoKey;
  spec: KeySpec;
  /** The signature algorithm when not the key's default (a role's signature_bits, use_pss); `key` must be imported for it. */
  algorithm?: Algorithm;
}

export interface CertRequest {
  serialHex: string;
  subject: Subject;
  publicKey: CryptoKey | x509.PublicKey;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** Overrides `subject` (sign-verbatim: the CSR's subject as it is) */
  subjectName?: x509.Name;
  /** CAs: the basic constraints' pathLenConstraint; absent: unlimited */
  maxPathLength?: number;
  /** CAs: more extensions (name constraints) */
  extraExtensions?: x509.Extension[];
  /** leaves */
  dnsNames?: string[];
  ipAddresses?: string[];
  keyUsage?: number;
  extKeyUsage?: string[];
  emails?: string[];
  uris?: string[];
  /** otherName SANs with a UTF8String value, as Vault's other_sans */
  otherNames?: { oid: string; value: string }[];
  policyIdentifiers?: string[];
  /** leaves: whether to include basicConstraints CA:FALSE (default true) */
  basicConstraints?: boolean;
}

export async function buildCertificate(req: CertRequest, signer: Signer): Promise<x509.X509Certificate> {
  const publicKey = req.publicKey;
  const extensions: x509.Extension[] = [];
  if (req.isCa) {
    extensions.push(new x509.BasicConstraintsExtension(true, req.maxPathLength, true));
    extensions.push(...(req.extraExtensions ?? []));
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  } else {
    if (req.basicConstraints !== false) extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    if (req.keyUsage) extensions.push(new x509.KeyUsagesExtension(req.keyUsage, true));
    if (req.extKeyUsage?.length) extensions.push(new x509.ExtendedKeyUsageExtension(req.extKeyUsage));
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  // The authority key id names the signer's key: its own for a root. An issuer's own subject
  // key id is that name already (and what chain builders match it with), with no hashing.
  const issuerSki = signer.certificate?.getExtension(x509.SubjectKeyIdentifierExtension);
  extensions.push(issuerSki ? new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId) : await x509.AuthorityKeyIdentifierExtension.create(signer.certificate ? signer.certificate.publicKey : publicKey));
  const subject = req.subjectName ?? nameOf(req.subject);
  const san = subjectAltName(req, (Array.isArray(subject) ? subject : subject.toJSON()).length === 0);
  if (san) extensions.push(san);
  if (req.policyIdentifiers?.length) extensions.push(new x509.CertificatePolicyExtension(req.policyIdentifiers));
  return x509.X509CertificateGenerator.create({
    serialNumber: req.serialHex,
    subject,
    issuer: signer.certificate ? signer.certificate.subjectName : subject,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm ?? signingAlgorithmOf(signer.spec),
    extensions,
  });
}

/** Every SAN kind in one extension, critical when the subject is empty (RFC 5280 §4.2.1.6). */
function subjectAltName(req: CertRequest, emptySubject: boolean): x509.Extension | null {
  const names: asn1X509.GeneralName[] = [
    ...(req.dnsNames ?? []).map((v) => new asn1X509.GeneralName({ dNSName: v })),
    ...(req.emails ?? []).map((v) => new asn1X509.GeneralName({ rfc822Name: v })),
    ...(req.ipAddresses ?? []).map((v) => new asn1X509.GeneralName({ iPAddress: v })),
    ...(req.uris ?? []).map((v) => new asn1X509.GeneralName({ uniformResourceIdentifier: v })),
    ...(req.otherNames ?? []).map(
      (o) => new asn1X509.GeneralName({ otherName: new asn1X509.OtherName({ typeId: o.oid, value: AsnConvert.serialize(AsnUtf8StringConverter.toASN(o.value)) }) }),
    ),
  ];
  if (!names.length) return null;
  return new x509.Extension('2.5.29.17', emptySubject, AsnConvert.serialize(new asn1X509.SubjectAlternativeName(names)));
}

/** Vault's `expiration`: the certificate's notAfter in unix seconds. */
export const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
