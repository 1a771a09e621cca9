/**
 * config/urls and config/cluster: where clients fetch this mount's CA certificate, CRLs and
 * OCSP answers. Written into every certificate the mount issues as Authority Information
 * Access and CRL Distribution Points, and into complete CRLs as freshestCRL (the delta's URL).
 * With enable_templating, {{issuer_id}}, {{cluster_path}} and {{cluster_aia_path}} are
 * filled in per issuer, so one setting serves every issuer of a multi-issuer mount.
 */
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { IssuerEntry } from './storage.js';

export interface UrlsConfig {
  issuing_certificates: string[];
  crl_distribution_points: string[];
  delta_crl_distribution_points: string[];
  ocsp_servers: string[];
  enable_templating: boolean;
}

export interface ClusterConfig {
  path: string;
  aia_path: string;
}

export const URL_FIELDS = ['issuing_certificates', 'crl_distribution_points', 'delta_crl_distribution_points', 'ocsp_servers'] as const;

const EMPTY_URLS: UrlsConfig = { issuing_certificates: [], crl_distribution_points: [], delta_crl_distribution_points: [], ocsp_servers: [], enable_templating: false };

export const urlsConfig = async (s: Storage): Promise<UrlsConfig> => ({ ...EMPTY_URLS, ...((await getJson<Partial<UrlsConfig>>(s, 'config/urls')) ?? {}) });
export const putUrlsConfig = (s: Storage, c: UrlsConfig) => putJson(s, 'config/urls', c);
export const clusterConfig = async (s: Storage): Promise<ClusterConfig> => ({ path: '', aia_path: '', ...((await getJson<Partial<ClusterConfig>>(s, 'config/cluster')) ?? {}) });
export const putClusterConfig = (s: Storage, c: ClusterConfig) => putJson(s, 'config/cluster', c);

const TEMPLATE = /\{\{(issuer_id|cluster_path|cluster_aia_path)\}\}/g;

function fill(url: string, issuerId: string, cluster: ClusterConfig): string {
  return url.replace(TEMPLATE, (_, name: string) => (name === 'issuer_id' ? issuerId : name === 'cluster_path' ? cluster.path : cluster.aia_path));
}

/** A 400 naming the first URL that is not one (after templating, with this mount's cluster paths). */
export function checkUrls(config: UrlsConfig, cluster: ClusterConfig): void {
  for (const field of URL_FIELDS) {
    for (const raw of config[field]) {
      if (config.enable_templating) {
        const missing = [...raw.matchAll(TEMPLATE)].map((m) => m[1]!).find((n) => n !== 'issuer_id' && !cluster[n === 'cluster_path' ? 'path' : 'aia_path']);
        if (missing) throw invalidRequest(`${field} uses {{${missing}}} but config/cluster has no ${missing === 'cluster_path' ? 'path' : 'aia_path'} set`);
      }
      const url = config.enable_templating ? fill(raw, '00000000-0000-0000-0000-000000000000', { path: cluster.path || 'http://x', aia_path: cluster.aia_path || 'http://x' }) : raw;
      let ok = false;
      try {
        ok = /^[a-z][a-z0-9+.-]*:/i.test(url) && new URL(url).host !== '';
      } catch {
        ok = false;
      }
      if (!ok) throw invalidRequest(`invalid URL found in Authority Information Access (AIA) parameter ${field}: ${raw}`);
    }
  }
}

/**
 * The URLs of `issuer`, templates filled in: the issuer's own AIA settings when it has any
 * (issuer/:ref update), else the mount's config/urls, as Vault chooses.
 */
export async function urlsFor(s: Storage, issuer: Pick<IssuerEntry, 'id'> & Partial<IssuerEntry>): Promise<Omit<UrlsConfig, 'enable_templating'>> {
  const mount = await urlsConfig(s);
  const own = [issuer.issuingCertificates, issuer.crlDistributionPoints, issuer.ocspServers].some((l) => l && l.length > 0);
  const config: UrlsConfig = own
    ? {
        issuing_certificates: issuer.issuingCertificates ?? [],
        crl_distribution_points: issuer.crlDistributionPoints ?? [],
        ocsp_servers: issuer.ocspServers ?? [],
        delta_crl_distribution_points: mount.delta_crl_distribution_points,
        enable_templating: issuer.enableAiaUrlTemplating ?? false,
      }
    : mount;
  const cluster = config.enable_templating ? await clusterConfig(s) : { path: '', aia_path: '' };
  const map = (l: string[]) => (config.enable_templating ? l.map((u) => fill(u, issuer.id, cluster)) : l);
  return {
    issuing_certificates: map(config.issuing_certificates),
    crl_distribution_points: map(config.crl_distribution_points),
    delta_crl_distribution_points: map(config.delta_crl_distribution_points),
    ocsp_servers: map(config.ocsp_servers),
  };
}

/** The AIA and CRL distribution point extensions for certificates `issuer` signs; none when nothing is configured. */
export async function certExtensionsFor(s: Storage, issuer: Pick<IssuerEntry, 'id'> & Partial<IssuerEntry>): Promise<x509.Extension[]> {
  const urls = await urlsFor(s, issuer);
  const out: x509.Extension[] = [];
  if (urls.issuing_certificates.length || urls.ocsp_servers.length) {
    out.push(new x509.AuthorityInfoAccessExtension({ caIssuers: urls.issuing_certificates, ocsp: urls.ocsp_servers }));
  }
  if (urls.crl_distribution_points.length) out.push(new x509.CRLDistributionPointsExtension(urls.crl_distribution_points));
  return out;
}

/** freshestCRL (RFC 5280 5.2.6) for a complete CRL when delta CRLs have a URL: where its delta is. */
export async function freshestCrlExtension(s: Storage, issuer: Pick<IssuerEntry, 'id'>): Promise<x509.Extension[]> {
  const urls = (await urlsFor(s, issuer)).delta_crl_distribution_points;
  if (!urls.length) return [];
  return [new x509.Extension('2.5.29.46', false, new x509.CRLDistributionPointsExtension(urls).value)];
}
