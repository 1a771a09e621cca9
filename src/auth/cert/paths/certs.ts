/** `certs/` (LIST) and `certs/:name`: the certificates (CAs, or pinned leaves) a login may present, with constraints and token settings. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { listEntries, pageFields } from '../../../framework/listing.js';
import type { Response } from '../../../logical/request.js';
import {
  applyTokenFields,
  checkAgainstMount,
  defaultTokenParams,
  legacyTokenFields,
  tokenFields,
  tokenParamsData,
  type TokenFieldValues,
} from '../../shared/token-params.js';
import { CERT_PREFIX, certsOf, getRole, isEntryName, putRole, type CertRole } from '../storage.js';

const list = () => f.commaList().optional();

const certFields = {
  name: z.string().describe('The name of the trusted certificate entry'),
  certificate: z.string().optional().describe('PEM: a CA certificate (or several) whose issued certificates may log in, or one non-CA certificate that alone may'),
  display_name: z.string().optional().describe('Display name of the tokens issued; defaults to the name'),
  allowed_names: list().describe('Globs any of which the common name, a DNS or an email SAN must match'),
  allowed_common_names: list().describe('Globs one of which the common name must match'),
  allowed_dns_sans: list().describe('Globs one of which a DNS SAN must match'),
  allowed_email_sans: list().describe('Globs one of which an email SAN must match'),
  allowed_uri_sans: list().describe('Globs one of which a URI SAN must match'),
  allowed_organizational_units: list().describe('Globs one of which an OU must match'),
  required_extensions: list().describe('"oid:value-glob" entries the certificate must carry'),
  allowed_metadata_extensions: list().describe('Extension OIDs whose values become token metadata (dots as dashes)'),
  ocsp_enabled: f.bool().optional().describe('Check the certificate with OCSP'),
  ocsp_ca_certificates: z.string().optional().describe('PEM certificates whose keys may sign OCSP answers'),
  ocsp_servers_override: list().describe('OCSP responder URLs, instead of the certificate\u2019s own'),
  ocsp_fail_open: f.bool().optional().describe('Log in when no OCSP responder gives an answer'),
  ocsp_query_all_servers: f.bool().optional().describe('Ask every responder, not just the first that answers'),
  lease: f.int().optional().describe('Deprecated: use token_ttl'),
  ...tokenFields,
  ...legacyTokenFields,
};

type CertFields = z.infer<z.ZodObject<typeof certFields>>;

const OID = /^\d+(\.\d+)+$/;

function requireName(raw: string): string {
  const name = raw.trim();
  if (!isEntryName(name)) throw invalidRequest('invalid name: use up to 128 letters, digits, "_", "-", "." and "@"');
  return name;
}

function checkExtensions(required: string[], metadata: string[]): void {
  for (const entry of required) {
    const i = entry.indexOf(':');
    if (i <= 0 || !OID.test(entry.slice(0, i))) throw invalidRequest(`required_extensions entry ${JSON.stringify(entry.slice(0, 64))} must be "oid:value"`);
  }
  for (const oid of metadata) if (!OID.test(oid)) throw invalidRequest(`allowed_metadata_extensions entry ${JSON.stringify(oid.slice(0, 64))} is not an OID`);
}

function checkUrls(urls: string[]): void {
  for (const url of urls) {
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) throw invalidRequest(`ocsp_servers_override entry ${JSON.stringify(url.slice(0, 64))} is not an http or https URL`);
  }
}

function applyFields(current: CertRole | null, name: string, v: CertFields, mountMaxTtl: number, warnings: string[]): CertRole {
  const certificate = v.certificate ?? current?.certificate ?? '';
  if (certificate.trim() === '') throw invalidRequest('missing certificate');
  const trusted = certsOf(certificate, 'certificate');
  // Name constraints are not implemented: a CA carrying them could never log anyone in.
  if (v.certificate !== undefined && trusted.some((c) => c.isCA && c.extensions.has('2.5.29.30'))) {
    throw invalidRequest('certificate: CA certificates with name constraints are not supported');
  }
  const ocspCaCertificates = v.ocsp_ca_certificates ?? current?.ocspCaCertificates ?? '';
  if (ocspCaCertificates.trim() !== '') certsOf(ocspCaCertificates, 'ocsp_ca_certificates');
  const tokenValues: TokenFieldValues = { ...(v as TokenFieldValues) };
  if (v.lease !== undefined && v.token_ttl === undefined && v.ttl === undefined) tokenValues.ttl = v.lease;
  const token = applyTokenFields(current?.token ?? defaultTokenParams(), tokenValues, warnings);
  checkAgainstMount(token, mountMaxTtl, warnings);
  const role: CertRole = {
    name,
    certificate,
    // As Vault: an empty display name (hvac sends "") means the entry's name.
    displayName: v.display_name || current?.displayName || name,
    allowedNames: v.allowed_names ?? current?.allowedNames ?? [],
    allowedCommonNames: v.allowed_common_names ?? current?.allowedCommonNames ?? [],
    allowedDnsSans: v.allowed_dns_sans ?? current?.allowedDnsSans ?? [],
    allowedEmailSans: v.allowed_email_sans ?? current?.allowedEmailSans ?? [],
    allowedUriSans: v.allowed_uri_sans ?? current?.allowedUriSans ?? [],
    allowedOrganizationalUnits: v.allowed_organizational_units ?? current?.allowedOrganizationalUnits ?? [],
    requiredExtensions: v.required_extensions ?? current?.requiredExtensions ?? [],
    allowedMetadataExtensions: v.allowed_metadata_extensions ?? current?.allowedMetadataExtensions ?? [],
    ocspEnabled: v.ocsp_enabled ?? current?.ocspEnabled ?? false,
    ocspCaCertificates,
    ocspServersOverride: v.ocsp_servers_override ?? current?.ocspServersOverride ?? [],
    ocspFailOpen: v.ocsp_fail_open ?? current?.ocspFailOpen ?? false,
    ocspQueryAllServers: v.ocsp_query_all_servers ?? current?.ocspQueryAllServers ?? false,
    token,
  };
  checkExtensions(role.requiredExtensions, role.allowedMetadataExtensions);
  checkUrls(role.ocspServersOverride);
  const legacy = { ...current?.legacy };
  if (v.token_policies !== undefined) legacy.policies = false;
  else if (v.policies !== undefined) legacy.policies = true;
  if (v.token_ttl !== undefined) legacy.ttl = false;
  else if (v.ttl !== undefined || v.lease !== undefined) legacy.ttl = true;
  if (v.token_max_ttl !== undefined) legacy.maxTtl = false;
  else if (v.max_ttl !== undefined) legacy.maxTtl = true;
  if (v.token_period !== undefined) legacy.period = false;
  else if (v.period !== undefined) legacy.period = true;
  if (Object.keys(legacy).length > 0) role.legacy = legacy;
  return role;
}

function readRole(role: CertRole): Record<string, unknown> {
  const data: Record<string, unknown> = {
    certificate: role.certificate,
    display_name: role.displayName,
    allowed_names: role.allowedNames,
    allowed_common_names: role.allowedCommonNames,
    allowed_dns_sans: role.allowedDnsSans,
    allowed_email_sans: role.allowedEmailSans,
    allowed_uri_sans: role.allowedUriSans,
    allowed_organizational_units: role.allowedOrganizationalUnits,
    required_extensions: role.requiredExtensions,
    allowed_metadata_extensions: role.allowedMetadataExtensions,
    ocsp_enabled: role.ocspEnabled,
    ocsp_ca_certificates: role.ocspCaCertificates,
    ocsp_servers_override: role.ocspServersOverride,
    ocsp_fail_open: role.ocspFailOpen,
    ocsp_query_all_servers: role.ocspQueryAllServers,
    ...tokenParamsData(role.token),
  };
  // Vault echoes the deprecated names a role was written with.
  if (role.legacy?.policies) data.policies = [...role.token.policies];
  if (role.legacy?.ttl) data.ttl = role.token.ttl;
  if (role.legacy?.maxTtl) data.max_ttl = role.token.maxTtl;
  if (role.legacy?.period) data.period = role.token.period;
  return data;
}

export function certPaths(): PathDefinition[] {
  const write = async (ctx: HandlerContext<CertFields>): Promise<Response | null> => {
    const name = requireName(ctx.fields.name);
    const warnings: string[] = [];
    const role = applyFields(await getRole(ctx.storage, name), name, ctx.fields, ctx.system.maxLeaseTtl, warnings);
    await putRole(ctx.storage, role);
    return warnings.length > 0 ? { warnings } : null;
  };
  return [
    definePath({
      pattern: 'certs/?',
      fields: pageFields,
      operations: { list: (ctx) => listEntries(ctx.storage, CERT_PREFIX, ctx.fields) },
      help: { synopsis: 'List the trusted certificates of this mount.' },
    }),
    definePath({
      pattern: 'certs/:name',
      fields: certFields,
      existenceCheck: async (ctx) => (await getRole(ctx.storage, ctx.fields.name.trim())) !== null,
      operations: {
        create: write,
        update: write,
        read: async (ctx) => {
          const role = await getRole(ctx.storage, requireName(ctx.fields.name));
          return role ? { data: readRole(role) } : null;
        },
        delete: async (ctx) => {
          await ctx.storage.delete(CERT_PREFIX + requireName(ctx.fields.name));
          return null;
        },
      },
      help: {
        synopsis: 'Create, read, update or delete a trusted certificate.',
        description:
          'A CA certificate lets in every certificate it issued (through intermediates the client sends) that meets the allowed_* constraints; a non-CA certificate lets in only itself.',
      },
    }),
  ];
}
