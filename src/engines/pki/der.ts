/**
 * The little DER this engine writes by hand, for the structures too large for a parser to
 * read back: a CRL of 100,000 entries is ~400,000 ASN.1 nodes, and asn1js (under
 * @peculiar/x509) refuses more than 10,000 when X509CrlGenerator re-parses what it built.
 * And the signature algorithms of CRLs and OCSP answers, signed with node:crypto.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { KeySpec } from './keys.js';

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV from its tag and content. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const sequence = (...content: Buffer[]) => tlv(0x30, ...content);
/** A SEQUENCE OF any length (a spread of 100,000 arguments overflows the stack). */
export const sequenceOf = (items: Buffer[]) => tlv(0x30, Buffer.concat(items));

/** A non-negative INTEGER from hex (a serial number): minimal, with a 00 byte when the top bit is set. */
export function integerFromHex(hex: string): Buffer {
  let h = hex.replace(/[^0-9a-f]/gi, '').replace(/^(00)+(?=[0-9a-f]{2})/i, '');
  if (h.length % 2) h = '0' + h;
  let b = Buffer.from(h || '00', 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export const integer = (n: number) => integerFromHex(n.toString(16));

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-12-07T22:11:05.123Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = d.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'latin1')) : tlv(0x18, Buffer.from(digits, 'latin1'));
}

const RSA_NULL = new Uint8Array([5, 0]).buffer;

interface SignatureAlgorithm {
  id: AlgorithmIdentifier;
  der: Buffer;
  digest: string | null;
}
const algorithms = new Map<string, SignatureAlgorithm>();

/** The AlgorithmIdentifier a key of this spec signs with, and node's digest for it (SHA-256 for RSA, the curve's hash for EC). */
export function signatureAlgorithm(spec: KeySpec): SignatureAlgorithm {
  const name = `${spec.type}/${spec.bits}`;
  let found = algorithms.get(name);
  if (!found) algorithms.set(name, (found = computeAlgorithm(spec)));
  return found;
}

function computeAlgorithm(spec: KeySpec): SignatureAlgorithm {
  let id: AlgorithmIdentifier;
  let digest: string | null;
  if (spec.type === 'rsa') {
    id = new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: RSA_NULL });
    digest = 'sha256';
  } else if (spec.type === 'ec') {
    const [oid, d] = spec.bits === 256 ? ['1.2.840.10045.4.3.2', 'sha256'] : spec.bits === 384 ? ['1.2.840.10045.4.3.3', 'sha384'] : ['1.2.840.10045.4.3.4', 'sha512'];
    id = new AlgorithmIdentifier({ algorithm: oid });
    digest = d;
  } else {
    id = new AlgorithmIdentifier({ algorithm: '1.3.101.112' });
    digest = null;
  }
  return { id, der: Buffer.from(AsnConvert.serialize(id)), digest };
}

/**
 * Parsed signing keys by their PEM: parsing one costs more than an OCSP answer's signature.
 * Bounded, and dropped when the server seals (the backend's `forget`). The PEM is still read
 * from storage each time, so a key deleted there is never used from here.
 */
const parsedKeys = new Map<string, KeyObject>();

export function forgetSigningKeys(): void {
  parsedKeys.clear();
}

/** Signs DER with a PKCS#8 PEM key: ECDSA signatures come out DER-encoded, as X.509 wants them. */
export function signDer(data: Buffer, privateKeyPem: string, spec: KeySpec): Buffer {
  let key = parsedKeys.get(privateKeyPem);
  if (!key) {
    key = createPrivateKey(privateKeyPem);
    if (parsedKeys.size >= 64) parsedKeys.clear();
    parsedKeys.set(privateKeyPem, key);
  }
  return sign(signatureAlgorithm(spec).digest, data, key);
}

/** X.509's SIGNED{}: the to-be-signed DER, the algorithm, and the signature as a BIT STRING. */
export function signed(tbs: Buffer, privateKeyPem: string, spec: KeySpec): Buffer {
  const sig = signDer(tbs, privateKeyPem, spec);
  return sequence(tbs, signatureAlgorithm(spec).der, tlv(0x03, Buffer.from([0]), sig));
}

/** The header of the TLV at `pos`: where its content starts and ends. */
function readTlv(der: Buffer, pos: number): { tag: number; start: number; end: number } {
  const tag = der[pos]!;
  let len = der[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

function parseTime(tag: number, text: string): number {
  // UTCTime YYMMDDHHMMSSZ (years 1950-2049), GeneralizedTime YYYYMMDDHHMMSSZ
  const full = tag === 0x17 ? (Number(text.slice(0, 2)) >= 50 ? '19' : '20') + text : text;
  return Date.UTC(+full.slice(0, 4), +full.slice(4, 6) - 1, +full.slice(6, 8), +full.slice(8, 10), +full.slice(10, 12), +full.slice(12, 14)) / 1000;
}

/**
 * A certificate's notAfter (unix seconds) read straight from its DER: revocation and tidy
 * need only this, and a full parse costs far more (node's X509Certificate took 0.7 ms each
 * once 100,000 certificates had gone through it).
 */
export function certificateNotAfter(der: Buffer): number {
  const cert = readTlv(der, 0);
  const tbs = readTlv(der, cert.start);
  let pos = tbs.start;
  if (der[pos] === 0xa0) pos = readTlv(der, pos).end; // version
  for (let i = 0; i < 3; i++) pos = readTlv(der, pos).end; // serial, signature, issuer
  const validity = readTlv(der, pos);
  const notBefore = readTlv(der, validity.start);
  const notAfter = readTlv(der, notBefore.end);
  return parseTime(notAfter.tag, der.toString('latin1', notAfter.start, notAfter.end));
}
