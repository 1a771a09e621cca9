/**
 * OCSP (RFC 6960) checks of a client certificate, for roles with ocsp_enabled: one request
 * per responder (the role's ocsp_servers_override, else the certificate's AIA OCSP URLs),
 * its answer trusted only when signed by the certificate's issuer, by a responder the issuer
 * delegated to (id-kp-OCSPSigning), or by a key in the role's ocsp_ca_certificates. Good
 * answers are cached until their nextUpdate (at most five minutes), bounded by the mount's
 * ocsp_cache_size.
 */
import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, CertID, id_pkix_ocsp_basic, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request as OcspRequestItem, TBSRequest } from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, AuthorityInfoAccessSyntax, Certificate, ExtendedKeyUsage, id_ce_extKeyUsage, id_pe_authorityInfoAccess } from '@peculiar/asn1-x509';
import { parseDer, type ParsedCert } from './x509.js';

export type OcspStatus = 'good' | 'revoked' | 'unknown';

const SHA1 = '1.3.14.3.2.26';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const AIA_OCSP = '1.3.6.1.5.5.7.48.1';
const TIMEOUT_MS = 5000;
const MAX_CACHE_MS = 5 * 60_000;
const MAX_ANSWER_BYTES = 1 << 20;

const HASH_OF_SIGNATURE: Record<string, string | null> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

/** The contents of the first element of a DER SEQUENCE, header included: a signed structure's exact bytes. */
function firstElement(der: Buffer): Buffer {
  const headerLen = (buf: Buffer, at: number) => ((buf[at + 1]! & 0x80) === 0 ? 2 : 2 + (buf[at + 1]! & 0x7f));
  const lengthAt = (buf: Buffer, at: number) => {
    const b = buf[at + 1]!;
    if ((b & 0x80) === 0) return b;
    let len = 0;
    for (let i = 0; i < (b & 0x7f); i++) len = len * 256 + buf[at + 2 + i]!;
    return len;
  };
  const start = headerLen(der, 0);
  return der.subarray(start, start + headerLen(der, start) + lengthAt(der, start));
}

function certId(leaf: ParsedCert, issuer: ParsedCert): CertID {
  const issuerAsn = AsnConvert.parse(issuer.der, Certificate).tbsCertificate;
  const leafAsn = AsnConvert.parse(leaf.der, Certificate).tbsCertificate;
  const sha1 = (b: ArrayBuffer | Uint8Array) => createHash('sha1').update(Buffer.from(b as ArrayBuffer)).digest();
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(sha1(AsnConvert.serialize(issuerAsn.subject))),
    issuerKeyHash: new OctetString(sha1(issuerAsn.subjectPublicKeyInfo.subjectPublicKey)),
    serialNumber: leafAsn.serialNumber,
  });
}

/** The certificate's own OCSP responder URLs (its Authority Information Access). */
export function ocspUrlsOf(cert: ParsedCert): string[] {
  const aia = cert.extensions.get(id_pe_authorityInfoAccess);
  if (!aia) return [];
  try {
    return AsnConvert.parse(aia, AuthorityInfoAccessSyntax)
      .filter((a) => a.accessMethod === AIA_OCSP && a.accessLocation.uniformResourceIdentifier)
      .map((a) => a.accessLocation.uniformResourceIdentifier!);
  } catch {
    return []; // an unreadable AIA names no responder: the check fails (closed, or open with ocsp_fail_open)
  }
}

/** The origin of a responder address for messages, or the address itself when it is no URL. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return JSON.stringify(url.slice(0, 100));
  }
}

function signedBy(tbs: Buffer, basic: BasicOCSPResponse, key: KeyObject): boolean {
  const alg = basic.signatureAlgorithm.algorithm;
  if (!(alg in HASH_OF_SIGNATURE)) return false;
  try {
    return verifySignature(HASH_OF_SIGNATURE[alg] ?? null, tbs, key, Buffer.from(basic.signature));
  } catch {
    return false;
  }
}

function isDelegatedResponder(cert: ParsedCert, issuer: ParsedCert, now: number): boolean {
  const eku = cert.extensions.get(id_ce_extKeyUsage);
  if (!eku || !AsnConvert.parse(eku, ExtendedKeyUsage).includes(OCSP_SIGNING)) return false;
  return cert.notBefore <= now && now <= cert.notAfter && cert.x509.checkIssued(issuer.x509) && cert.x509.verify(issuer.x509.publicKey);
}

/** The status a responder's DER answer gives `id`, or an Error saying why it cannot be trusted. */
/** A trusted answer: the status, and until when the responder vouches for it (nextUpdate, ms). */
export interface OcspAnswer {
  status: OcspStatus;
  nextUpdate?: number;
}

export function readResponse(der: Buffer, id: CertID, issuer: ParsedCert, trusted: ParsedCert[], now: number): OcspAnswer | Error {
  try {
    return readResponseOrThrow(der, id, issuer, trusted, now);
  } catch {
    return new Error('the OCSP answer is malformed');
  }
}

function readResponseOrThrow(der: Buffer, id: CertID, issuer: ParsedCert, trusted: ParsedCert[], now: number): OcspAnswer | Error {
  let response: OCSPResponse;
  try {
    response = AsnConvert.parse(der, OCSPResponse);
  } catch {
    return new Error('the OCSP answer does not parse');
  }
  if (response.responseStatus !== OCSPResponseStatus.successful || !response.responseBytes) return new Error(`the OCSP responder answered status ${response.responseStatus}`);
  if (response.responseBytes.responseType !== id_pkix_ocsp_basic) return new Error('the OCSP answer is not a basic response');
  const basicDer = Buffer.from(response.responseBytes.response.buffer);
  const basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
  const tbs = firstElement(basicDer);
  const signers = [issuer.x509.publicKey, ...trusted.map((t) => t.x509.publicKey)];
  for (const raw of basic.certs ?? []) {
    const responder = parseDer(Buffer.from(AsnConvert.serialize(raw)));
    if (isDelegatedResponder(responder, issuer, now)) signers.push(responder.x509.publicKey);
  }
  if (!signers.some((k) => signedBy(tbs, basic, k))) return new Error('the OCSP answer is not signed by the issuer or a trusted responder');
  const wanted = Buffer.from(AsnConvert.serialize(id));
  for (const single of basic.tbsResponseData.responses) {
    if (!Buffer.from(AsnConvert.serialize(single.certID)).equals(wanted)) continue;
    if (single.nextUpdate && single.nextUpdate.getTime() < now) return new Error('the OCSP answer is out of date');
    const nextUpdate = single.nextUpdate?.getTime();
    if (single.certStatus.revoked) return { status: 'revoked', nextUpdate };
    if (single.certStatus.good !== undefined) return { status: 'good', nextUpdate };
    return { status: 'unknown', nextUpdate };
  }
  return new Error('the OCSP answer does not mention the certificate');
}

export interface OcspQuery {
  leaf: ParsedCert;
  issuer: ParsedCert;
  servers: string[];
  trusted: ParsedCert[];
  queryAll: boolean;
  now: number;
}

async function ask(url: string, body: Buffer): Promise<Buffer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new Error('the OCSP answer is too large');
      }
      chunks.push(Buffer.from(value));
    }
  }
  return Buffer.concat(chunks);
}

export class OcspChecker {
  private cache = new Map<string, { status: OcspStatus; until: number }>();

  constructor(private size: () => number) {}

  /** revoked beats good: with queryAll, one responder saying revoked is enough. Error: no usable answer. */
  async status(q: OcspQuery): Promise<OcspStatus | Error> {
    // Whose signatures were trusted is part of the answer: another role trusting other responders gets its own.
    const key = `${q.issuer.fingerprint}/${q.leaf.serialDecimal}/${q.servers.join(',')}/${q.trusted.map((t) => t.fingerprint).sort().join(',')}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > q.now) return hit.status;
    if (q.servers.length === 0) return new Error('no OCSP server: the certificate names none and the role has no ocsp_servers_override');
    const id = certId(q.leaf, q.issuer);
    const body = Buffer.from(AsnConvert.serialize(new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new OcspRequestItem({ reqCert: id })] }) })));
    let result: OcspAnswer | Error = new Error('no OCSP server answered');
    for (const url of q.servers) {
      const answer = await ask(url, body).then((der) => readResponse(der, id, q.issuer, q.trusted, q.now), (err: Error) => new Error(`OCSP server ${originOf(url)}: ${err.message}`));
      if (!(answer instanceof Error) && answer.status === 'revoked') {
        result = answer;
        break;
      }
      if (!(answer instanceof Error)) result = answer;
      else if (result instanceof Error) result = answer;
      if (!(answer instanceof Error) && answer.status === 'good' && !q.queryAll) break;
    }
    if (result instanceof Error) return result;
    if (result.status === 'good') {
      // Cached no longer than the responder vouches for it (nextUpdate), and at most five minutes.
      const until = Math.min(result.nextUpdate ?? Infinity, q.now + MAX_CACHE_MS);
      if (until > q.now) {
        if (this.cache.size >= Math.max(1, this.size())) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { status: result.status, until });
      }
    }
    return result.status;
  }

  forget(): void {
    this.cache.clear();
  }
}
