/** What the PKI path files share: the handler context, and the shapes Vault answers issuers in. */
import { z } from 'zod';
import type { HandlerContext } from '../../../framework/backend.js';
import type { IssuerEntry } from '../storage.js';

export type Ctx<F> = HandlerContext<F>;

export const refField = z.string().describe('An issuer id, name, or "default"');

/** Vault's issuer read: the certificate, its chain and the fixed settings this engine has so far. */
export function issuerData(issuer: IssuerEntry): Record<string, unknown> {
  return {
    issuer_id: issuer.id,
    issuer_name: issuer.name,
    key_id: issuer.keyId,
    certificate: issuer.certificate,
    ca_chain: issuer.caChain,
    serial_number: issuer.serialNumber,
    leaf_not_after_behavior: 'err',
    manual_chain: null,
    usage: 'crl-signing,issuing-certificates,ocsp-signing,read-only',
    revocation_signature_algorithm: '',
    revoked: false,
    issuing_certificates: [],
    crl_distribution_points: [],
    ocsp_servers: [],
  };
}

export const PEM_CHAIN = 'application/pem-certificate-chain';
export const DER_CERT = 'application/pkix-cert';
