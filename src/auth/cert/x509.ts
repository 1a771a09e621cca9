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
  BasicConstraints,
  id_ce_basicConstraints,
  id_ce_nameConstraints,
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
  /** BasicConstraints pathLenConstraint: how many CA certificates may follow below this one (not counting the leaf). */
  pathLen?: number;
  /** OIDs of the extensions marked critical. */
  criticalExtensions: string[];
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
  const criticalExtensions: string[] = [];
  for (const ext of tbs.extensions ?? []) {
    extensions.set(ext.extnID, Buffer.from(ext.extnValue.buffer));
    if (ext.critical) criticalExtensions.push(ext.extnID);
  }
  const basic = extensions.get(id_ce_basicConstraints);
  const pathLen = basic ? AsnConvert.parse(basic, BasicConstraints).pathLenConstraint : undefined;
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
    pathLen,
    criticalExtensions,
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

/** Extensions this verification understands, and so may be critical. */
const KNOWN_CRITICAL = new Set([
  id_ce_basicConstraints,
  '2.5.29.15', // keyUsage
  '2.5.29.37', // extKeyUsage
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  '2.5.29.32', // certificatePolicies
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/**
 * Why `chain` (leaf first, anchor last) breaks a CA's constraints, or null when it does not:
 * a CA's pathLen counts the CA certificates below it (the leaf not counted); a critical
 * extension this code does not understand refuses the chain; and name constraints are not
 * implemented, so a CA carrying them is refused rather than trusted for every name.
 */
export function chainProblem(chain: ParsedCert[]): string | null {
  for (const [i, c] of chain.entries()) {
    const unknown = c.criticalExtensions.find((oid) => !KNOWN_CRITICAL.has(oid) && !(oid === id_ce_nameConstraints && c.isCA));
    if (unknown) return `certificate ${c.commonName || c.fingerprint} has unsupported critical extension ${unknown}`;
    if (i === 0) continue;
    if (c.extensions.has(id_ce_nameConstraints)) return `CA certificate ${c.commonName || c.fingerprint} has name constraints, which are not supported`;
    if (c.pathLen !== undefined && c.pathLen < i - 1) return `CA certificate ${c.commonName || c.fingerprint} allows ${c.pathLen} CA certificates below it, the chain has ${i - 1}`;
  }
  return null;
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
      if (anchor.isCA && isCurrent(anchor, now) && issued(anchor, top) && chainProblem([...path, anchor]) === null) return [...path, anchor];
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
