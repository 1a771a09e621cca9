/** What the PKI path files share: the handler context, and the shapes Vault answers issuers in. */
import { z } from 'zod';
import type { HandlerContext } from '../../../framework/backend.js';
import { issuerSettings, type IssuerEntry } from '../storage.js';

export type Ctx<F> = HandlerContext<F>;

export const refField = z.string().describe('An issuer id, name, or "default"');

/** Vault's issuer read: the certificate, its chain and the fixed settings this engine has so far. */
export function issuerData(issuer: IssuerEntry): Record<string, unknown> {
  const settings = issuerSettings(issuer);
  return {
    issuer_id: issuer.id,
    issuer_name: issuer.name,
    key_id: issuer.keyId,
    certificate: issuer.certificate,
    ca_chain: issuer.caChain,
    serial_number: issuer.serialNumber,
    leaf_not_after_behavior: settings.leafNotAfterBehavior,
    manual_chain: issuer.manualChain?.length ? issuer.manualChain : null,
    usage: settings.usage.join(','),
    revocation_signature_algorithm: issuer.revocationSignatureAlgorithm ?? '',
    revoked: false,
    issuing_certificates: issuer.issuingCertificates ?? [],
    crl_distribution_points: issuer.crlDistributionPoints ?? [],
    ocsp_servers: issuer.ocspServers ?? [],
    enable_aia_url_templating: issuer.enableAiaUrlTemplating ?? false,
  };
}

export const PEM_CHAIN = 'application/pem-certificate-chain';
export const DER_CERT = 'application/pkix-cert';
