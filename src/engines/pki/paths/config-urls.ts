/**
 * config/urls (the AIA and CRL distribution point URLs written into issued certificates)
 * and config/cluster (the mount's own address, for templated URLs).
 */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { checkUrl } from '../acme/config.js';
import { checkUrls, clusterConfig, putClusterConfig, putUrlsConfig, urlsConfig, URL_FIELDS, type UrlsConfig } from '../urls.js';
import type { Ctx } from './common.js';

const urlFields = {
  issuing_certificates: f.commaList().optional().describe('URLs of the issuing CA certificate (AIA caIssuers)'),
  crl_distribution_points: f.commaList().optional().describe('URLs of the CRL (CRL Distribution Points)'),
  delta_crl_distribution_points: f.commaList().optional().describe('URLs of the delta CRL (freshestCRL in complete CRLs)'),
  ocsp_servers: f.commaList().optional().describe('URLs of the OCSP responder (AIA ocsp)'),
  enable_templating: f.bool().optional().describe('Fill in {{issuer_id}}, {{cluster_path}} and {{cluster_aia_path}}'),
};
type UrlFields = z.infer<z.ZodObject<typeof urlFields>>;

async function writeUrls(ctx: Ctx<UrlFields>) {
  const next: UrlsConfig = { ...(await urlsConfig(ctx.storage)) };
  for (const k of URL_FIELDS) if (ctx.fields[k] !== undefined) next[k] = ctx.fields[k]!;
  if (ctx.fields.enable_templating !== undefined) next.enable_templating = ctx.fields.enable_templating;
  checkUrls(next, await clusterConfig(ctx.storage));
  await putUrlsConfig(ctx.storage, next);
  return { data: { ...next } };
}

const clusterFields = {
  path: z.string().optional().describe("This mount's URL as clients reach it, e.g. https://pki.example.com/v1/pki"),
  aia_path: z.string().optional().describe('As path, for AIA URLs that must be plain http'),
};

async function writeCluster(ctx: Ctx<z.infer<z.ZodObject<typeof clusterFields>>>) {
  const next = { ...(await clusterConfig(ctx.storage)) };
  // ACME builds every URL it answers from these, so only absolute http(s) URLs are kept.
  for (const field of ['path', 'aia_path'] as const) {
    const value = ctx.fields[field];
    if (value === undefined) continue;
    checkUrl(field, value);
    next[field] = value.replace(/\/+$/, '');
  }
  await putClusterConfig(ctx.storage, next);
  return { data: { ...next } };
}

export function configUrlsPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'config/urls',
      fields: urlFields,
      operations: { read: async (ctx) => ({ data: { ...(await urlsConfig(ctx.storage)) } }), update: writeUrls },
      help: { synopsis: 'The issuing certificate, CRL and OCSP URLs written into every certificate this mount issues.' },
    }),
    definePath({
      pattern: 'config/cluster',
      fields: clusterFields,
      operations: { read: async (ctx) => ({ data: { ...(await clusterConfig(ctx.storage)) } }), update: writeCluster },
      help: { synopsis: "This mount's own URL: ACME builds its absolute URLs from it, and templated config/urls fill {{cluster_path}} with it." },
    }),
  ];
}
