/**
 * config/acme (whether ACME is on, which issuers, roles and policies its directories use,
 * how identifiers are validated) and config/cluster (this mount's public URL: ACME URLs are
 * absolute, so they are built from it, never from a request's Host header).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { checkCidrList } from '../../../framework/cidr.js';
import { f } from '../../../framework/fields.js';
import { getJson, putJson, type Storage } from '../../../logical/storage.js';

const acmeFields = {
  enabled: f.bool().default(false).describe('Serve the ACME directories'),
  allowed_issuers: f.commaList().default(['*']).describe('Issuers an issuer/:ref/acme directory may use; * for any'),
  allowed_roles: f.commaList().default(['*']).describe('Roles a roles/:role/acme directory may use; * for any'),
  allow_role_ext_key_usage: f.bool().default(false).describe("Keep a role's extended key usages; otherwise serverAuth only"),
  default_directory_policy: z.string().default('sign-verbatim').describe('acme/directory: sign-verbatim, role:<name>, forbid or external-policy'),
  dns_resolver: z.string().default('').describe('host:port of the DNS server challenges resolve names with; empty: the system resolver'),
  eab_policy: z.enum(['not-required', 'new-account-required', 'always-required']).default('not-required'),
  max_ttl: f.duration().default(0).describe("Longest certificate lifetime; 0: the role's or the mount's"),
  allowed_challenge_networks: f.commaList().default([]).describe('CIDRs challenge validators may connect to; empty: any'),
};
export type AcmeConfig = z.infer<z.ZodObject<typeof acmeFields>>;

const ACME_CONFIG = 'config/acme';

export const defaultAcmeConfig = (): AcmeConfig => z.object(acmeFields).parse({});
export const acmeConfig = async (s: Storage) => (await getJson<AcmeConfig>(s, ACME_CONFIG)) ?? defaultAcmeConfig();

/** What node's resolver takes: an IP (IPv6 in brackets) and a port; a host name would fail every lookup. */
function isResolverAddress(value: string): boolean {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(value);
  if (!m) return false;
  const port = Number(m[3]);
  return port >= 1 && port <= 65535 && (m[1] ? isIPv6(m[1]) : isIPv4(m[2]!));
}

function checkAcmeConfig(c: AcmeConfig): AcmeConfig {
  const p = c.default_directory_policy;
  if (p === 'external-policy') throw invalidRequest('default_directory_policy external-policy is not supported by this server: use sign-verbatim, role:<name> or forbid');
  if (!['sign-verbatim', 'forbid'].includes(p) && !/^role:.+/.test(p)) {
    throw invalidRequest(`invalid default_directory_policy "${p}": use sign-verbatim, role:<name> or forbid`);
  }
  if (c.dns_resolver !== '' && !isResolverAddress(c.dns_resolver)) {
    throw invalidRequest(`invalid dns_resolver "${c.dns_resolver}": use an IP address and port, such as 10.0.0.2:53 or [fd00::2]:53`);
  }
  return { ...c, allowed_challenge_networks: checkCidrList('allowed_challenge_networks', c.allowed_challenge_networks) };
}

export function checkUrl(field: string, value: string): void {
  if (value === '') return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidRequest(`invalid ${field} "${value}": expected an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidRequest(`invalid ${field} "${value}": expected an http or https URL`);
}

export function configPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'config/acme',
      fields: acmeFields,
      operations: {
        read: async (ctx) => ({ data: { ...(await acmeConfig(ctx.storage)) } }),
        update: async (ctx) => {
          // As Vault: a write changes the fields it names; the rest keep their stored values
          // (turning ACME on must not quietly drop an eab_policy or allowed_roles set before).
          const sent = Object.fromEntries(Object.entries(ctx.fields).filter(([k]) => k in ctx.raw));
          const c = checkAcmeConfig({ ...(await acmeConfig(ctx.storage)), ...sent });
          await putJson(ctx.storage, ACME_CONFIG, c);
          return { data: { ...c } };
        },
      },
      help: { synopsis: 'Turn ACME on or off and choose the issuers, roles, policies and validation settings its directories use.' },
    }),
  ];
}
