/**
 * An OCSP responder (RFC 6960) for the certificates this mount issued: a request's CertID
 * is matched to an issuer by the hashes of its name and key, each serial answered good,
 * revoked (with its time) or unknown (another issuer's), and the answer signed by the issuer
 * itself with its nonce echoed. Failures are OCSP answers too, with Vault's HTTP statuses:
 * a request that does not parse gets malformedRequest (400); one this mount cannot sign for
 * (no issuer matches, or ocsp_disable) gets unauthorized (401).
 */
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
} from '@peculiar/asn1-ocsp';
import { Certificate, Extension } from '@peculiar/asn1-x509';
import type { Storage } from '../../logical/storage.js';
import { colonHex } from './cert.js';
import { crlConfig } from './crl-config.js';
import { revokedEntry } from './crl.js';
import { signatureAlgorithm, signDer } from './der.js';
import { allIssuers, getKey, issuerSettings, type IssuerEntry } from './storage.js';

export const OCSP_RESPONSE_TYPE = 'application/ocsp-response';
/** Vault's cap on a request; real ones are a few hundred bytes. */
export const MAX_OCSP_REQUEST = 2048;

export interface OcspAnswer {
  status: number;
  body: Buffer;
}

const failure = (status: OCSPResponseStatus): Buffer => Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: status })));
export const MALFORMED: OcspAnswer = { status: 400, body: failure(OCSPResponseStatus.malformedRequest) };
export const UNAUTHORIZED: OcspAnswer = { status: 401, body: failure(OCSPResponseStatus.unauthorized) };

/** Hash algorithms a CertID may name, by OID. */
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The parts of an issuer a CertID is hashed from: its subject's DER and its public key's bits. */
interface IssuerParts {
  issuer: IssuerEntry;
  nameDer: Buffer;
  keyBits: Buffer;
  hashes: Map<string, { name: Buffer; key: Buffer }>;
}

// Public data only (certificates), keyed by the PEM: a request costs hashes of nothing.
const partsCache = new Map<string, IssuerParts>();

function partsOf(issuer: IssuerEntry): IssuerParts {
  // The cached parts come from the certificate alone; the entry is always the one just read,
  // so a change of usage or name is seen at once.
  const cached = partsCache.get(issuer.certificate);
  if (cached) return { ...cached, issuer };
  const cert = AsnConvert.parse(Buffer.from(issuer.certificate.replace(/-----[^-]+-----|\s/g, ''), 'base64'), Certificate);
  const parts: IssuerParts = {
    issuer,
    nameDer: Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject)),
    keyBits: Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    hashes: new Map(),
  };
  if (partsCache.size > 1000) partsCache.clear();
  partsCache.set(issuer.certificate, parts);
  return parts;
}

function matches(parts: IssuerParts, id: CertID): boolean {
  const alg = HASHES[id.hashAlgorithm.algorithm];
  if (!alg) return false;
  let h = parts.hashes.get(alg);
  if (!h) {
    h = { name: createHash(alg).update(parts.nameDer).digest(), key: createHash(alg).update(parts.keyBits).digest() };
    parts.hashes.set(alg, h);
  }
  return h.name.equals(Buffer.from(id.issuerNameHash.buffer)) && h.key.equals(Buffer.from(id.issuerKeyHash.buffer));
}

function parseRequest(der: Buffer): OCSPRequest | null {
  if (der.length === 0 || der.length > MAX_OCSP_REQUEST) return null;
  try {
    const req = AsnConvert.parse(der, OCSPRequest);
    return req.tbsRequest.requestList.length > 0 ? req : null;
  } catch {
    return null;
  }
}

/** GeneralizedTime must carry whole seconds (RFC 5280 4.1.2.5.2). */
const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/**
 * The answer to one DER request. `only` restricts signing to one issuer (issuer/:ref/ocsp).
 * Every CertID must name the same issuer as the first; others are answered unknown.
 */
export async function answerOcsp(storage: Storage, der: Buffer, nowMs: number, only?: IssuerEntry): Promise<OcspAnswer> {
  const config = await crlConfig(storage);
  if (config.ocsp_disable) return UNAUTHORIZED;
  const req = parseRequest(der);
  if (!req) return MALFORMED;
  const requests = req.tbsRequest.requestList;
  const candidates = only ? [only] : await allIssuers(storage);
  const signer = candidates.map(partsOf).find((p) => matches(p, requests[0]!.reqCert));
  if (!signer) return UNAUTHORIZED;
  // As Vault: an issuer whose usage lacks ocsp-signing answers for nothing.
  if (!issuerSettings(signer.issuer).usage.includes('ocsp-signing')) return UNAUTHORIZED;
  const key = await getKey(storage, signer.issuer.keyId);
  if (!key) return UNAUTHORIZED;

  const thisUpdate = seconds(nowMs);
  const nextUpdate = config.ocsp_expiry > 0 ? seconds(nowMs + config.ocsp_expiry * 1000) : undefined;
  const responses: SingleResponse[] = [];
  for (const { reqCert } of requests) {
    let status: CertStatus;
    if (!matches(signer, reqCert)) status = new CertStatus({ unknown: null });
    else {
      const revoked = await revokedEntry(storage, colonHex(Buffer.from(reqCert.serialNumber).toString('hex').replace(/^(00)+(?=..)/, '')));
      status = revoked && revoked.issuerId === signer.issuer.id ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(revoked.time * 1000) }) }) : new CertStatus({ good: null });
    }
    responses.push(new SingleResponse({ certID: reqCert, certStatus: status, thisUpdate, nextUpdate }));
  }
  const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  const tbs = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(createHash('sha1').update(signer.keyBits).digest()) }),
    producedAt: thisUpdate,
    responses,
    responseExtensions: nonce ? [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: nonce.extnValue })] : undefined,
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = signDer(tbsDer, key.privateKey, key.spec);
  const basic = new BasicOCSPResponse({ tbsResponseData: tbs, signatureAlgorithm: signatureAlgorithm(key.spec).id, signature: new Uint8Array(signature).buffer });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return { status: 200, body: Buffer.from(AsnConvert.serialize(response)) };
}
