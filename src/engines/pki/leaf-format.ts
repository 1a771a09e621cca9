/**
 * The issue/sign answer in the format asked for, as Vault gives it: `pem` (the default),
 * `der` (each certificate and the key base64 DER), or `pem_bundle` (certificate holds the
 * key, the certificate and its chain, one PEM after another). remove_roots_from_chain drops
 * self-signed certificates from ca_chain.
 */
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';

export type LeafFormat = 'pem' | 'der' | 'pem_bundle';

export function checkFormat(format: string): LeafFormat {
  if (format === 'pem' || format === '') return 'pem';
  if (format === 'der' || format === 'pem_bundle') return format;
  throw invalidRequest(`unsupported format "${format}": use pem, der or pem_bundle`);
}

const isSelfSigned = (pem: string) => {
  const c = new x509.X509Certificate(pem);
  return c.subject === c.issuer;
};

const derOf = (pem: string) => Buffer.from(x509.PemConverter.decodeFirst(pem)).toString('base64');

const withNewline = (pem: string) => (pem.endsWith('\n') ? pem : pem + '\n');

/** `data`: issueLeaf's answer (PEMs); `privateKey`: the PEM of a key issued with it. */
export function formatLeaf(
  data: Record<string, unknown>,
  opts: { format: LeafFormat; removeRoots: boolean; privateKey?: string },
): Record<string, unknown> {
  const chain = (data.ca_chain as string[]).filter((c) => !opts.removeRoots || !isSelfSigned(c));
  const out: Record<string, unknown> = { ...data, ca_chain: chain };
  if (opts.privateKey !== undefined) out.private_key = opts.privateKey;
  if (opts.format === 'der') {
    out.certificate = derOf(data.certificate as string);
    out.issuing_ca = derOf(data.issuing_ca as string);
    out.ca_chain = chain.map(derOf);
    if (opts.privateKey !== undefined) out.private_key = derOf(opts.privateKey);
  } else if (opts.format === 'pem_bundle') {
    const parts = [...(opts.privateKey ? [opts.privateKey] : []), data.certificate as string, ...chain];
    out.certificate = parts.map(withNewline).join('').trimEnd();
  }
  return out;
}
