/**
 * issue/:role (a new key pair, answered once with its certificate) and sign/:role (a CSR's
 * key, after its signature proves the requester holds it). Both check names and lifetimes
 * against the role in leaf.ts.
 */
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { checkKeyFormat, exportKey, generateKeyPair, keySpec, specOfPublicKey } from '../keys.js';
import { issueLeaf } from '../leaf.js';
import type { Ctx } from './common.js';
import { roleOrFail, type Role } from './roles.js';

const common = {
  role: z.string().describe('The role to issue under'),
  common_name: z.string().optional(),
  alt_names: f.commaList().default([]).describe('DNS names, comma-separated'),
  ip_sans: f.commaList().default([]).describe('IP addresses, comma-separated'),
  ttl: f.duration().default(0).describe("Lifetime; default the role's ttl, at most its max_ttl"),
  format: z.string().default('pem').describe('Only pem so far'),
  exclude_cn_from_sans: f.bool().default(false),
};
const issueFields = { ...common, private_key_format: z.string().default('der').describe('der (PKCS#1/SEC1 in PEM) or pkcs8') };
const signFields = { ...common, csr: z.string().describe('A PEM certificate signing request') };

function checkFormat(format: string) {
  if (format !== 'pem') throw invalidRequest(`unsupported format "${format}": only pem so far`);
}

async function issue(ctx: Ctx<z.infer<z.ZodObject<typeof issueFields>>>) {
  const role = await roleOrFail(ctx, ctx.fields.role);
  checkFormat(ctx.fields.format);
  const keyFormat = checkKeyFormat(ctx.fields.private_key_format);
  if (role.key_type === 'any') throw invalidRequest('role key type "any" not allowed for issuing certificates, only signing');
  const spec = keySpec(role.key_type, role.key_bits);
  const keys = await generateKeyPair(spec);
  const data = await issueLeaf(ctx, role, {
    commonName: ctx.fields.common_name,
    dnsNames: ctx.fields.alt_names,
    ipSans: ctx.fields.ip_sans,
    ttl: ctx.fields.ttl,
    publicKey: keys.publicKey,
    excludeCnFromSans: ctx.fields.exclude_cn_from_sans,
  });
  return { data: { ...data, private_key: exportKey(keys.privateKey, spec, keyFormat), private_key_type: spec.type } };
}

export async function parseCsr(pem: string): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw invalidRequest('csr is not a PEM certificate signing request');
  }
  // The signature proves the requester holds the key: without it anyone's public key could be certified.
  let verified = false;
  try {
    verified = await csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw invalidRequest('the CSR signature does not verify');
  return csr;
}

/** Whether the CSR's key is of the type and size the role asks for (ACME finalize checks the same). */
export async function checkCsrKey(role: Role, csr: x509.Pkcs10CertificateRequest): Promise<void> {
  const spec = await specOfPublicKey(csr.publicKey);
  if (role.key_type === 'any') return;
  if (spec.type !== role.key_type) throw invalidRequest(`role requires keys of type ${role.key_type}, but the CSR has a ${spec.type} key`);
  if (spec.type === 'rsa' && spec.bits < role.key_bits) throw invalidRequest(`role requires RSA keys of at least ${role.key_bits} bits, but the CSR has ${spec.bits}`);
  if (spec.type === 'ec' && spec.bits !== role.key_bits) throw invalidRequest(`role requires EC keys on a ${role.key_bits}-bit curve, but the CSR has ${spec.bits}`);
}

async function sign(ctx: Ctx<z.infer<z.ZodObject<typeof signFields>>>) {
  const role = await roleOrFail(ctx, ctx.fields.role);
  checkFormat(ctx.fields.format);
  const csr = await parseCsr(ctx.fields.csr);
  await checkCsrKey(role, csr);
  const csrCn = csr.subjectName.getField('CN')[0];
  const sanExt = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const sans = sanExt?.names.items ?? [];
  const useCsrSans = role.use_csr_sans;
  const data = await issueLeaf(ctx, role, {
    commonName: ctx.fields.common_name || (role.use_csr_common_name ? csrCn : undefined),
    dnsNames: useCsrSans ? sans.filter((n) => n.type === 'dns').map((n) => n.value) : ctx.fields.alt_names,
    ipSans: useCsrSans ? sans.filter((n) => n.type === 'ip').map((n) => n.value) : ctx.fields.ip_sans,
    ttl: ctx.fields.ttl,
    publicKey: csr.publicKey,
    excludeCnFromSans: ctx.fields.exclude_cn_from_sans,
  });
  return { data };
}

export function issuePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'issue/:role',
      fields: issueFields,
      operations: { update: issue },
      help: { synopsis: 'Issue a certificate and a new private key under a role; the key is answered once and not kept.' },
    }),
    definePath({
      pattern: 'sign/:role',
      fields: signFields,
      operations: { update: sign },
      help: { synopsis: "Sign a CSR under a role, once its signature verifies; the CSR's key never reaches the server." },
    }),
  ];
}
