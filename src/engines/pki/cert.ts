/**
 * Certificates as this engine makes them: random positive serials of 159 bits (well past the
 * 64 bits CA/B rules ask for), subject and authority key identifiers, and the extensions a
 * CA or a leaf needs for `openssl verify` and TLS stacks to accept it.
 */
import type { webcrypto } from 'node:crypto';
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
}

/** The subject as @peculiar/x509's JSON name (no string DN: values are never escaped by hand). */
export function nameOf(s: Subject): x509.JsonName {
  const name: x509.JsonName = [];
  for (const c of s.country ?? []) name.push({ C: [c] });
  for (const o of s.organization ?? []) name.push({ O: [o] });
  for (const u of s.ou ?? []) name.push({ OU: [u] });
  if (s.commonName) name.push({ CN: [s.commonName] });
  return name;
}

export interface Signer {
  /** Absent for a self-signed root: it signs itself. */
  certificate?: x509.X509Certificate;
  key: CryptoKey;
  spec: KeySpec;
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
}

export async function buildCertificate(req: CertRequest, signer: Signer): Promise<x509.X509Certificate> {
  const publicKey = req.publicKey;
  const extensions: x509.Extension[] = [];
  if (req.isCa) {
    extensions.push(new x509.BasicConstraintsExtension(true, req.maxPathLength, true));
    extensions.push(...(req.extraExtensions ?? []));
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  } else {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    if (req.keyUsage) extensions.push(new x509.KeyUsagesExtension(req.keyUsage, true));
    if (req.extKeyUsage?.length) extensions.push(new x509.ExtendedKeyUsageExtension(req.extKeyUsage));
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  // The authority key id names the signer's key: its own for a root.
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.certificate ? signer.certificate.publicKey : publicKey));
  const sans: x509.JsonGeneralName[] = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  const subject = req.subjectName ?? nameOf(req.subject);
  return x509.X509CertificateGenerator.create({
    serialNumber: req.serialHex,
    subject,
    issuer: signer.certificate ? signer.certificate.subjectName : subject,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    publicKey,
    signingKey: signer.key,
    signingAlgorithm: signingAlgorithmOf(signer.spec),
    extensions,
  });
}

/** Vault's `expiration`: the certificate's notAfter in unix seconds. */
export const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
