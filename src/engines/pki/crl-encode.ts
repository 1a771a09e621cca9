/**
 * RFC 5280 5.1 CertificateList, encoded in one pass from plain data and signed: no storage,
 * no parse of what was built (der.ts says why not through @peculiar/x509).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { integer, integerFromHex, sequence, sequenceOf, signatureAlgorithm, signed, time, tlv } from './der.js';
import type { KeySpec } from './keys.js';

export interface CrlContents {
  /** PEM of the issuer: its subject is the CRL's issuer, byte for byte. */
  issuerCertificate: string;
  key: { privateKey: string; spec: KeySpec };
  /** unix seconds */
  thisUpdate: number;
  nextUpdate: number;
  entries: { serial: string; time: number }[];
  extensions: x509.Extension[];
}

const subjects = new Map<string, Buffer>();

function subjectDer(issuerPem: string): Buffer {
  let der = subjects.get(issuerPem);
  if (!der) {
    const cert = AsnConvert.parse(x509.PemConverter.decodeFirst(issuerPem), Certificate);
    der = Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject));
    if (subjects.size > 1000) subjects.clear();
    subjects.set(issuerPem, der);
  }
  return der;
}

/** The signed CRL as DER. */
export function encodeCrl(c: CrlContents): Buffer {
  const entries = c.entries.map((r) => sequence(integerFromHex(r.serial), time(new Date(r.time * 1000))));
  const tbs = sequence(
    integer(1),
    signatureAlgorithm(c.key.spec).der,
    subjectDer(c.issuerCertificate),
    time(new Date(c.thisUpdate * 1000)),
    time(new Date(c.nextUpdate * 1000)),
    ...(entries.length ? [sequenceOf(entries)] : []),
    tlv(0xa0, sequence(...c.extensions.map((e) => Buffer.from(e.rawData)))),
  );
  return signed(tbs, c.key.privateKey, c.key.spec);
}
