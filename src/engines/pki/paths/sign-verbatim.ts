/**
 * sign-verbatim(/:role) and issuer/:ref/sign-verbatim(/:role): a CSR signed with its own
 * subject and SANs, no name checks (the caller is trusted with any name; guard these paths
 * by policy), after its signature proves the requester holds the key. Key usages come from
 * the request; a role, when named, gives the lifetime limits and no_store. Also
 * issuer/:ref/issue/:role and issuer/:ref/sign/:role: issue and sign with a chosen issuer.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { issueLeaf } from '../leaf.js';
import { checkFormat, formatLeaf } from '../leaf-format.js';
import { usageKey } from './role-schema.js';
import { refField, type Ctx } from './common.js';
import { issue, issueFields, parseCsr, sign, signFields } from './issue.js';
import { csrSans } from './subject-fields.js';
import { EXT_KEY_USAGE_OIDS, KEY_USAGE_BITS, roleFields, roleOrFail, type Role } from './roles.js';

const fields = {
  csr: z.string().describe('A PEM certificate signing request'),
  role: z.string().optional().describe('A role whose ttl, max_ttl and no_store apply'),
  ttl: f.duration().default(0).describe("Lifetime; default the role's ttl or the mount's default lease TTL"),
  key_usage: f.commaList().default(['DigitalSignature', 'KeyAgreement', 'KeyEncipherment']).describe('Key usages, by Go name'),
  ext_key_usage: f.commaList().default([]).describe('Extended key usages, by Go name (ServerAuth, ClientAuth…)'),
  format: z.string().default('pem').describe('pem, der or pem_bundle'),
  remove_roots_from_chain: f.bool().default(false).describe('Leave self-signed certificates out of ca_chain'),
  issuer_ref: z.string().optional().describe("The issuer that signs; default the role's, else the mount's default"),
};
type Fields = z.infer<z.ZodObject<typeof fields>> & { ref?: string };

const defaults = z.object(roleFields).parse({});

async function signVerbatim(ctx: Ctx<Fields>) {
  const fl = ctx.fields;
  const format = checkFormat(fl.format);
  for (const u of fl.key_usage) if (KEY_USAGE_BITS[usageKey(u)] === undefined) throw invalidRequest(`unknown key_usage "${u}"`);
  for (const u of fl.ext_key_usage) if (EXT_KEY_USAGE_OIDS[usageKey(u)] === undefined) throw invalidRequest(`unknown ext_key_usage "${u}"`);
  const base: Role = fl.role ? await roleOrFail(ctx, fl.role) : defaults;
  const csr = await parseCsr(fl.csr);
  const role: Role = {
    ...base,
    allow_any_name: true,
    enforce_hostnames: false,
    allow_ip_sans: true,
    require_cn: false,
    key_usage: fl.key_usage,
    ext_key_usage: fl.ext_key_usage,
    server_flag: false,
    client_flag: false,
  };
  const sans = csrSans(csr);
  const data = await issueLeaf(ctx, role, {
    commonName: csr.subjectName.getField('CN')[0],
    subjectName: csr.subjectName,
    dnsNames: sans.dns,
    ipSans: sans.ip,
    ttl: fl.ttl,
    publicKey: csr.publicKey,
    // The CSR's names as they are: nothing added.
    excludeCnFromSans: true,
    issuerRef: fl.ref ?? fl.issuer_ref,
  });
  return { data: formatLeaf(data, { format, removeRoots: fl.remove_roots_from_chain }) };
}

export function signVerbatimPaths(): PathDefinition[] {
  const help = { synopsis: "Sign a CSR with its own subject and SANs; key usages from the request, limits from the role if one is named." };
  const withRef = { ...fields, ref: refField };
  return [
    definePath({ pattern: 'sign-verbatim', fields, operations: { update: signVerbatim }, help }),
    definePath({ pattern: 'sign-verbatim/:role', fields: { ...fields, role: z.string() }, operations: { update: signVerbatim }, help }),
    definePath({ pattern: 'issuer/:ref/sign-verbatim', fields: withRef, operations: { update: signVerbatim }, help }),
    definePath({ pattern: 'issuer/:ref/sign-verbatim/:role', fields: { ...withRef, role: z.string() }, operations: { update: signVerbatim }, help }),
    definePath({
      pattern: 'issuer/:ref/issue/:role',
      fields: { ...issueFields, ref: refField },
      operations: { update: (ctx) => issue(ctx, ctx.fields.ref) },
      help: { synopsis: 'Issue a certificate and key under a role, signed by this issuer instead of the role\'s.' },
    }),
    definePath({
      pattern: 'issuer/:ref/sign/:role',
      fields: { ...signFields, ref: refField },
      operations: { update: (ctx) => sign(ctx, ctx.fields.ref) },
      help: { synopsis: "Sign a CSR under a role with this issuer instead of the role's." },
    }),
  ];
}
