/**
 * root/sign-self-issued and issuer/:ref/sign-self-issued: an issuer of this mount signs
 * another CA's self-issued certificate (subject equal to issuer), keeping its subject, key,
 * validity and extensions. This is how a CA rolled over elsewhere gets a cross-signed
 * certificate that clients trusting this mount accept. Only CA certificates are taken: a
 * leaf signed this way would bypass every role check.
 */
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { signingAlgorithmOf } from '../keys.js';
import { checkMayIssue } from '../issuer-limits.js';
import { signerFor } from '../signer-cache.js';
import { getKey, issuerOrFail } from '../storage.js';
import { refField, type Ctx } from './common.js';

const fields = {
  certificate: z.string().describe('The PEM self-issued CA certificate to sign'),
  require_matching_certificate_algorithms: f.bool().default(false).describe("Refuse when the certificate's key type differs from the signer's"),
  issuer_ref: z.string().default('default').describe('The issuer that signs'),
};
type Fields = z.infer<z.ZodObject<typeof fields>> & { ref?: string };

function parseCertificate(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw invalidRequest('certificate is not a PEM X.509 certificate');
  }
}

async function signSelfIssued(ctx: Ctx<Fields>) {
  const cert = parseCertificate(ctx.fields.certificate);
  if (cert.subject !== cert.issuer) throw invalidRequest('the certificate is not self-issued: its subject and issuer differ');
  if (!cert.getExtension(x509.BasicConstraintsExtension)?.ca) throw invalidRequest('the certificate is not a CA: only CA certificates are signed here');
  const issuer = await issuerOrFail(ctx.storage, ctx.fields.ref ?? ctx.fields.issuer_ref);
  const key = await getKey(ctx.storage, issuer.keyId);
  if (!key) throw invalidRequest(`issuer "${issuer.name || issuer.id}" has no key to sign with`);
  checkMayIssue(issuer);
  const signer = await signerFor(ctx.mount, issuer, key);
  const certAlgorithm = cert.publicKey.algorithm.name;
  const signerAlgorithm = signer.key.algorithm.name;
  if (ctx.fields.require_matching_certificate_algorithms && certAlgorithm !== signerAlgorithm) {
    throw invalidRequest(`the certificate's key (${certAlgorithm}) differs from the issuer's (${signerAlgorithm})`);
  }
  // Its own extensions stay, but the authority key id must name the key that now signs.
  const issuerSki = signer.certificate!.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions = cert.extensions.filter((e) => e.type !== '2.5.29.35');
  if (issuerSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId));
  const signed = await x509.X509CertificateGenerator.create({
    serialNumber: cert.serialNumber,
    subject: cert.subjectName,
    issuer: signer.certificate!.subjectName,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    publicKey: cert.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signingAlgorithmOf(signer.spec),
    extensions,
  });
  return { data: { certificate: signed.toString('pem') + '\n', issuing_ca: issuer.certificate } };
}

export function signSelfIssuedPaths(): PathDefinition[] {
  const help = {
    synopsis: "Sign another CA's self-issued certificate with an issuer of this mount (cross-signing).",
    description: 'Subject, key, validity and extensions are kept; the certificate must be a self-issued CA. Needs sudo, as in Vault.',
  };
  return [
    definePath({ pattern: 'root/sign-self-issued', fields, operations: { update: signSelfIssued }, help }),
    definePath({ pattern: 'issuer/:ref/sign-self-issued', fields: { ...fields, ref: refField }, operations: { update: signSelfIssued }, help }),
  ];
}
