/**
 * root/sign-intermediate and issuer/:ref/sign-intermediate: a CA certificate for a CSR's key,
 * signed by one of this mount's issuers. Kept by serial like a leaf, so it can be revoked;
 * never valid past its signer unless the signer's leaf_not_after_behavior says otherwise;
 * a path length one below the signer's when the signer has one.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { putJson } from '../../../logical/storage.js';
import { buildCertificate, colonHex, randomSerialHex, unixSeconds } from '../cert.js';
import { checkMayIssue, notAfterWithin } from '../issuer-limits.js';
import { certKey, type StoredCert } from '../leaf.js';
import { isHostname } from '../names.js';
import { signerFor } from '../signer-cache.js';
import { getKey, issuerOrFail } from '../storage.js';
import { refField, type Ctx } from './common.js';
import { parseCsr } from './issue.js';
import { checkSans, csrSans, subjectFields, subjectNameOf } from './subject-fields.js';

const fields = {
  ...subjectFields,
  csr: z.string().describe('The PEM CSR of the intermediate CA'),
  ttl: f.duration().default(0).describe("Lifetime; default the mount's default lease TTL, at most its max"),
  max_path_length: f.int().default(-1).describe('The basic constraints path length; -1: none (or one below the signer\'s)'),
  use_csr_values: f.bool().default(false).describe("Take the subject and SANs from the CSR as they are"),
  permitted_dns_domains: f.commaList().default([]).describe('DNS name constraints for everything below this CA'),
  issuer_ref: z.string().default('default').describe('The issuer that signs'),
  format: z.string().default('pem').describe('pem (the default), pem_bundle or der (base64)'),
  not_before_duration: f.duration().default(30).describe('How far notBefore is set in the past'),
};
type Fields = z.infer<z.ZodObject<typeof fields>>;

function nameConstraints(domains: string[]): x509.Extension {
  for (const d of domains) if (!isHostname(d.replace(/^\./, ''))) throw invalidRequest(`permitted_dns_domains: "${d}" is not a DNS domain`);
  const subtrees = new GeneralSubtrees(domains.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) })));
  return new x509.Extension('2.5.29.30', true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: subtrees })));
}

/** The child's pathLenConstraint: Vault's rule of one below a constrained signer. */
function pathLength(requested: number, signer: x509.X509Certificate): number | undefined {
  const limit = signer.getExtension(x509.BasicConstraintsExtension)?.pathLength;
  if (limit === undefined) return requested < 0 ? undefined : requested;
  if (limit === 0) throw invalidRequest('the signing issuer has a max path length of 0: it may not sign another CA');
  return requested < 0 ? limit - 1 : Math.min(requested, limit - 1);
}

async function signIntermediate(ctx: Ctx<Fields & { ref?: string }>) {
  const fl = ctx.fields;
  if (fl.format !== 'pem' && fl.format !== 'pem_bundle' && fl.format !== 'der') throw invalidRequest(`unsupported format "${fl.format}": use pem, pem_bundle or der`);
  checkSans(fl);
  const csr = await parseCsr(fl.csr);
  const issuer = await issuerOrFail(ctx.storage, fl.ref ?? fl.issuer_ref);
  const key = await getKey(ctx.storage, issuer.keyId);
  if (!key) throw invalidRequest(`issuer "${issuer.name || issuer.id}" has no key to sign with`);
  checkMayIssue(issuer);
  const signer = await signerFor(ctx.mount, issuer, key);
  const maxPathLength = pathLength(fl.max_path_length, signer.certificate!);
  const extraExtensions = fl.permitted_dns_domains.length ? [nameConstraints(fl.permitted_dns_domains)] : [];

  let subjectName: x509.Name | x509.JsonName;
  let dnsNames = fl.alt_names;
  let ipAddresses = fl.ip_sans;
  if (fl.use_csr_values) {
    subjectName = csr.subjectName;
    ({ dns: dnsNames, ip: ipAddresses } = csrSans(csr));
  } else {
    const cn = fl.common_name || csr.subjectName.getField('CN')[0];
    if (!cn) throw invalidRequest('the common_name field is required (the CSR has none either)');
    subjectName = subjectNameOf({ ...fl, common_name: cn });
    if (!fl.exclude_cn_from_sans && isHostname(cn) && !dnsNames.includes(cn)) dnsNames = [cn, ...dnsNames];
  }

  const ttl = Math.min(fl.ttl || ctx.system.defaultLeaseTtl, ctx.system.maxLeaseTtl);
  const now = ctx.clock();
  const notAfter = notAfterWithin(issuer, new Date(now + ttl * 1000));
  const serialHex = randomSerialHex(ctx.random);
  const cert = await buildCertificate(
    {
      serialHex,
      subject: {},
      subjectName: subjectName instanceof x509.Name ? subjectName : new x509.Name(subjectName),
      publicKey: csr.publicKey,
      notBefore: new Date(now - fl.not_before_duration * 1000),
      notAfter,
      isCa: true,
      maxPathLength,
      extraExtensions,
      dnsNames,
      ipAddresses,
    },
    signer,
  );
  const pem = cert.toString('pem') + '\n';
  const serial = colonHex(serialHex);
  await putJson(ctx.storage, certKey(serial), { certificate: pem, issuerId: issuer.id, revocationTime: 0 } satisfies StoredCert);
  const der = fl.format === 'der';
  const certificate = der ? Buffer.from(cert.rawData).toString('base64') : fl.format === 'pem_bundle' ? pem + issuer.caChain.join('') : pem;
  return {
    data: {
      certificate,
      issuing_ca: der ? Buffer.from(new x509.X509Certificate(issuer.certificate).rawData).toString('base64') : issuer.certificate,
      ca_chain: [pem, ...issuer.caChain],
      serial_number: serial,
      expiration: unixSeconds(cert.notAfter),
    },
  };
}

export function signIntermediatePaths(): PathDefinition[] {
  const help = {
    synopsis: "Sign an intermediate CA's CSR with an issuer of this mount.",
    description: 'The certificate is kept by serial (cert/:serial lists it; revoke revokes it) and never outlives its signer unless the signer permits it.',
  };
  return [
    definePath({ pattern: 'root/sign-intermediate', fields, operations: { update: signIntermediate }, help }),
    definePath({ pattern: 'issuer/:ref/sign-intermediate', fields: { ...fields, ref: refField }, operations: { update: signIntermediate }, help }),
  ];
}
