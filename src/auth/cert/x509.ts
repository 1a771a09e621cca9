/**
 * Certificates as the cert method judges them: the names and extensions its constraints
 * read, and chain verification against a role's CAs. node:crypto checks signatures and
 * issuer links (native, fast); @peculiar/asn1-x509 reads the fields node does not expose
 * reliably (OUs, SANs by kind, key identifiers, arbitrary extensions).
 */
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  Certificate,
  id_ce_authorityKeyIdentifier,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { invalidRequest } from '../../errors.js';

const OID_CN = '2.5.4.3';
const OID_OU = '2.5.4.11';

export interface ParsedCert {
  der: Buffer;
  x509: X509Certificate;
  commonName: string;
  organizationalUnits: string[];
  dnsSans: string[];
  emailSans: string[];
  uriSans: string[];
  subjectKeyId: Buffer;
  authorityKeyId: Buffer;
  /** Decimal, as Vault's metadata shows it. */
  serialDecimal: string;
  /** Extension values (the DER inside extnValue), by OID. */
  extensions: Map<string, Buffer>;
  notBefore: number;
  notAfter: number;
  isCA: boolean;
  /** SHA-256 of the DER, hex: what ties a renewal to the certificate that logged in. */
  fingerprint: string;
}

/** A DirectoryString or IA5String attribute value as text. */
function attributeText(value: { toString(): string }): string {
  return value.toString();
}

export function parseDer(der: Buffer): ParsedCert {
  const x509 = new X509Certificate(der);
  const asn = AsnConvert.parse(der, Certificate);
  const tbs = asn.tbsCertificate;
  let commonName = '';
  const organizationalUnits: string[] = [];
  for (const rdn of tbs.subject) {
    for (const atv of rdn) {
      if (atv.type === OID_CN && commonName === '') commonName = attributeText(atv.value);
      if (atv.type === OID_OU) organizationalUnits.push(attributeText(atv.value));
    }
  }
  const extensions = new Map<string, Buffer>();
  for (const ext of tbs.extensions ?? []) extensions.set(ext.extnID, Buffer.from(ext.extnValue.buffer));
  const dnsSans: string[] = [];
  const emailSans: string[] = [];
  const uriSans: string[] = [];
  const san = extensions.get(id_ce_subjectAltName);
  if (san) {
    for (const name of AsnConvert.parse(san, SubjectAlternativeName)) {
      if (name.dNSName !== undefined) dnsSans.push(name.dNSName);
      if (name.rfc822Name !== undefined) emailSans.push(name.rfc822Name);
      if (name.uniformResourceIdentifier !== undefined) uriSans.push(name.uniformResourceIdentifier);
    }
  }
  const skid = extensions.get(id_ce_subjectKeyIdentifier);
  const akid = extensions.get(id_ce_authorityKeyIdentifier);
  const akidValue = akid ? AsnConvert.parse(akid, AuthorityKeyIdentifier).keyIdentifier : undefined;
  return {
    der,
    x509,
    commonName,
    organizationalUnits,
    dnsSans,
    emailSans,
    uriSans,
    subjectKeyId: skid ? Buffer.from(AsnConvert.parse(skid, SubjectKeyIdentifier).buffer) : Buffer.alloc(0),
    authorityKeyId: akidValue ? Buffer.from(akidValue.buffer) : Buffer.alloc(0),
    serialDecimal: BigInt('0x' + (x509.serialNumber || '0')).toString(10),
    extensions,
    notBefore: Date.parse(x509.validFrom),
    notAfter: Date.parse(x509.validTo),
    isCA: x509.ca,
    fingerprint: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/**
 * Parsed client certificates by their DER, bounded: a client logging in again (or another
 * request on its connection) costs a map lookup, not an ASN.1 parse (measured: the parse
 * was 40% of a keep-alive login). Certificates are public and the entries are never changed.
 */
const parsedByDer = new Map<string, ParsedCert>();
const PARSED_MAX = 1000;

export function parseDerCached(der: Buffer): ParsedCert {
  const key = der.toString('base64');
  let cert = parsedByDer.get(key);
  if (!cert) {
    cert = parseDer(der);
    if (parsedByDer.size >= PARSED_MAX) parsedByDer.delete(parsedByDer.keys().next().value!);
    parsedByDer.set(key, cert);
  }
  return cert;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, or a 400 naming `field`. */
export function parsePemBundle(pem: string, field: string): ParsedCert[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw invalidRequest(`${field} holds no PEM certificate`);
  return blocks.map((b, i) => {
    try {
      return parseDer(Buffer.from(b[1]!.replace(/\s+/g, ''), 'base64'));
    } catch {
      throw invalidRequest(`${field}: certificate ${i + 1} cannot be parsed`);
    }
  });
}

/** Colon-separated lower-case hex, as Vault prints key identifiers. */
export const colonHex = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

export const isCurrent = (c: ParsedCert, now: number): boolean => c.notBefore <= now && now <= c.notAfter;

/** Verdicts of `issued`, by the two fingerprints: a fact of the two certificates alone. */
const issuedVerdicts = new Map<string, boolean>();

/** `issuer` signed `child`: names link, and the signature verifies with the issuer's key. */
function issued(issuer: ParsedCert, child: ParsedCert): boolean {
  const key = issuer.fingerprint + child.fingerprint;
  let verdict = issuedVerdicts.get(key);
  if (verdict === undefined) {
    try {
      verdict = child.x509.checkIssued(issuer.x509) && child.x509.verify(issuer.x509.publicKey);
    } catch {
      verdict = false;
    }
    if (issuedVerdicts.size >= PARSED_MAX * 4) issuedVerdicts.clear();
    issuedVerdicts.set(key, verdict);
  }
  return verdict;
}

const MAX_DEPTH = 8;
/** Signature checks one chain search may make before it gives up: a login is refused, not a DoS. */
const MAX_STEPS = 200;

/**
 * A path from `leaf` up to one of `anchors` (a CA the role trusts), through the CA
 * certificates the client sent: the certificates in order, leaf first, ending with the
 * anchor. Every certificate on it must be current; null when there is none. The search
 * remembers the certificates from which it found no way up (dead ends), and stops after
 * MAX_STEPS issuer checks: CA certificates that all issue each other cannot make it try
 * every ordering.
 */
export function buildChain(leaf: ParsedCert, intermediates: ParsedCert[], anchors: ParsedCert[], now: number): ParsedCert[] | null {
  const deadEnds = new Set<string>();
  let steps = 0;
  const walk = (path: ParsedCert[]): ParsedCert[] | null => {
    const top = path[path.length - 1]!;
    for (const anchor of anchors) {
      if (++steps > MAX_STEPS) return null;
      if (anchor.isCA && isCurrent(anchor, now) && issued(anchor, top)) return [...path, anchor];
    }
    if (path.length >= MAX_DEPTH) return null;
    for (const next of intermediates) {
      if (!next.isCA || !isCurrent(next, now) || deadEnds.has(next.fingerprint) || path.some((p) => p.fingerprint === next.fingerprint)) continue;
      if (++steps > MAX_STEPS) return null;
      if (issued(next, top)) {
        const found = walk([...path, next]);
        if (found) return found;
        if (steps > MAX_STEPS) return null;
        deadEnds.add(next.fingerprint);
      }
    }
    return null;
  };
  if (!isCurrent(leaf, now)) return null;
  return walk([leaf]);
}
