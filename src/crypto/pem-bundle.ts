/** CA bundles given as PEM text by operators (Kubernetes API, JWKS and OIDC discovery CAs). */
import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Whether the bundle holds at least one certificate that parses (Go's cert pool asks the
 * same). Node ignores a bundle it cannot parse and then trusts nothing, so a TLS handshake
 * would fail later with a message about the server's certificate, not the bundle.
 */
export function hasCertificate(bundle: string): boolean {
  for (const block of bundle.match(PEM_CERTIFICATE) ?? []) {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      // try the next block
    }
  }
  return false;
}
