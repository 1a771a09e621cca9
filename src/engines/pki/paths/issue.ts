/**
 * issue/:role (a new key pair, answered once with its certificate) and sign/:role (a CSR's
 * key, after its signature proves the requester holds it). Both check names and lifetimes
 * against the role in leaf.ts; a role with generate_lease answers with a lease.
 */
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { checkKeyFormat, exportKey, generateKeyPair, keySpec, specOfPublicKey } from '../keys.js';
import { certLease } from '../leaf-lease.js';
import { checkFormat, formatLeaf } from '../leaf-format.js';
import { checkedNames, issueLeaf, type LeafRequest } from '../leaf.js';
import { splitAltNames } from '../names.js';
import type { Ctx } from './common.js';
import { isRfc3339, type Role } from './role-schema.js';
import { roleOrFail } from './roles.js';

const common = {
  role: z.string().describe('The role to issue under'),
  common_name: z.string().optional(),
  alt_names: f.commaList().default([]).describe('DNS names and email addresses, comma-separated'),
  ip_sans: f.commaList().default([]).describe('IP addresses, comma-separated'),
  uri_sans: f.commaList().default([]).describe('URIs, comma-separated'),
  other_sans: f.commaList().default([]).describe('<oid>;UTF8:<value>, comma-separated'),
  ttl: f.duration().default(0).describe("Lifetime; default the role's ttl, at most its max_ttl"),
  not_after: z.string().default('').describe('notAfter as RFC 3339, instead of ttl'),
  not_before_duration: f.duration().optional().describe("How far notBefore is set in the past; default the role's"),
  format: z.string().default('pem').describe('pem, der or pem_bundle'),
  exclude_cn_from_sans: f.bool().default(false),
  remove_roots_from_chain: f.bool().default(false).describe('Leave self-signed certificates out of ca_chain'),
  user_ids: f.commaList().default([]).describe('Subject user ids (UID), allowed by the role'),
  serial_number: z.string().default('').describe("The subject's serialNumber attribute, allowed by the role"),
};
export const issueFields = { ...common, private_key_format: z.string().default('der').describe('der (PKCS#1/SEC1) or pkcs8') };
export const signFields = { ...common, csr: z.string().describe('A PEM certificate signing request') };
type CommonCtx = Ctx<z.infer<z.ZodObject<typeof common>>>;
const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/** What issue and sign take alike from the request. */
function requested(ctx: CommonCtx): Omit<LeafRequest, 'publicKey' | 'dnsNames' | 'ipSans' | 'commonName'> {
  const { ttl, not_after: notAfter } = ctx.fields;
  if (notAfter && !isRfc3339(notAfter)) throw invalidRequest(`not_after "${notAfter}" is not an RFC 3339 time such as 2030-01-01T00:00:00Z`);
  return {
    ttl,
    notAfter: notAfter || undefined,
    notBeforeDuration: ctx.fields.not_before_duration,
    excludeCnFromSans: ctx.fields.exclude_cn_from_sans,
    uriSans: ctx.fields.uri_sans,
    otherSans: ctx.fields.other_sans,
    serialNumber: ctx.fields.serial_number || undefined,
    userIds: ctx.fields.user_ids,
    warnings: [],
  };
}

/** The answer, as a lease when the role asks for one. */
function answer(ctx: CommonCtx, role: Role, data: Record<string, unknown>, warnings: string[] = []): Response {
  const w = warnings.length ? { warnings } : {};
  if (!role.generate_lease) return { data, ...w };
  return { data, ...w, secret: certLease(data.serial_number as string, data.expiration as number, ctx.clock()) };
}

/** `issuerRef`: issuer/:ref/issue/:role, overriding the role's issuer_ref. */
export async function issue(ctx: Ctx<z.infer<z.ZodObject<typeof issueFields>>>, issuerRef?: string) {
  const role = await roleOrFail(ctx, ctx.fields.role);
  const format = checkFormat(ctx.fields.format);
  const keyFormat = checkKeyFormat(ctx.fields.private_key_format);
  if (role.key_type === 'any') throw invalidRequest('role key type "any" not allowed for issuing certificates, only signing');
  const spec = keySpec(role.key_type, role.key_bits);
  const names = splitAltNames(ctx.fields.alt_names);
  const leaf = { ...requested(ctx), commonName: ctx.fields.common_name, dnsNames: names.dns, emails: names.emails, ipSans: ctx.fields.ip_sans };
  // A request the role refuses costs no key pair (an RSA one takes a while).
  checkedNames(ctx, role, leaf);
  const keys = await generateKeyPair(spec);
  const data = await issueLeaf(ctx, role, { ...leaf, publicKey: keys.publicKey, issuerRef });
  const privateKey = exportKey(keys.privateKey, spec, keyFormat);
  return answer(ctx, role, { ...formatLeaf(data, { format, removeRoots: ctx.fields.remove_roots_from_chain, privateKey }), private_key_type: spec.type }, leaf.warnings);
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

export async function sign(ctx: Ctx<z.infer<z.ZodObject<typeof signFields>>>, issuerRef?: string) {
  const role = await roleOrFail(ctx, ctx.fields.role);
  const format = checkFormat(ctx.fields.format);
  const base = requested(ctx);
  const csr = await parseCsr(ctx.fields.csr);
  const spec = await specOfPublicKey(csr.publicKey);
  if (role.key_type !== 'any') {
    if (spec.type !== role.key_type) throw invalidRequest(`role requires keys of type ${role.key_type}, but the CSR has a ${spec.type} key`);
    if (spec.type === 'rsa' && spec.bits < role.key_bits) throw invalidRequest(`role requires RSA keys of at least ${role.key_bits} bits, but the CSR has ${spec.bits}`);
    if (spec.type === 'ec' && spec.bits !== role.key_bits) throw invalidRequest(`role requires EC keys on a ${role.key_bits}-bit curve, but the CSR has ${spec.bits}`);
  }
  const csrCn = csr.subjectName.getField('CN')[0];
  const sanExt = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const sans = sanExt?.names.items ?? [];
  const fromCsr = (type: string) => sans.filter((n) => n.type === type).map((n) => n.value);
  const useSans = role.use_csr_sans;
  const names = useSans ? { dns: fromCsr('dns'), emails: fromCsr('email') } : splitAltNames(ctx.fields.alt_names);
  // As Vault: the CSR's common name wins under use_csr_common_name, the request's fills in.
  const warnings = base.warnings!;
  if (role.use_csr_common_name && ctx.fields.common_name) warnings.push('the common_name field was provided but the role is set with "use_csr_common_name" set to true');
  if (useSans && ctx.fields.alt_names.length) warnings.push('the alt_names field was provided but the role is set with "use_csr_sans" set to true');
  const data = await issueLeaf(ctx, role, {
    ...base,
    commonName: (role.use_csr_common_name ? csrCn : undefined) || ctx.fields.common_name,
    dnsNames: names.dns,
    emails: names.emails,
    ipSans: useSans ? fromCsr('ip') : ctx.fields.ip_sans,
    uriSans: useSans ? fromCsr('url') : base.uriSans,
    // The UPN is the one otherName kind the CSR parser names; the API's other_sans add to it.
    otherSans: [...(base.otherSans ?? []), ...(useSans ? fromCsr('upn').map((v) => `${UPN_OID};UTF8:${v}`) : [])],
    serialNumber: base.serialNumber ?? csr.subjectName.getField('2.5.4.5')[0],
    publicKey: csr.publicKey,
    issuerRef,
  });
  return answer(ctx, role, formatLeaf(data, { format, removeRoots: ctx.fields.remove_roots_from_chain }), warnings);
}

export function issuePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'issue/:role',
      fields: issueFields,
      operations: { update: (ctx) => issue(ctx) },
      help: { synopsis: 'Issue a certificate and a new private key under a role; the key is answered once and not kept.' },
    }),
    definePath({
      pattern: 'sign/:role',
      fields: signFields,
      operations: { update: (ctx) => sign(ctx) },
      help: { synopsis: "Sign a CSR under a role, once its signature verifies; the CSR's key never reaches the server." },
    }),
  ];
}
