/**
 * The cert method's entries in its mount view: `cert/<name>` per trusted certificate role,
 * `crl/<name>` per CRL to honour, `config` for the mount. Parsed certificates are cached by
 * their PEM text (public data), so a login parses nothing it has seen before.
 */
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TokenParams } from '../shared/token-params.js';
import { parsePemBundle, type ParsedCert } from './x509.js';

export interface CertRole {
  name: string;
  /** PEM: a CA (or several), or the one non-CA certificate to pin. */
  certificate: string;
  displayName: string;
  allowedNames: string[];
  allowedCommonNames: string[];
  allowedDnsSans: string[];
  allowedEmailSans: string[];
  allowedUriSans: string[];
  allowedOrganizationalUnits: string[];
  requiredExtensions: string[];
  allowedMetadataExtensions: string[];
  ocspEnabled: boolean;
  ocspCaCertificates: string;
  ocspServersOverride: string[];
  ocspFailOpen: boolean;
  ocspQueryAllServers: boolean;
  token: TokenParams;
  /** Deprecated names the role was written with, echoed on read as Vault does. */
  legacy?: { policies?: boolean; ttl?: boolean; maxTtl?: boolean; period?: boolean };
}

export interface StoredCrl {
  name: string;
  /** Revoked serial numbers, decimal. */
  serials: string[];
}

export interface CertConfig {
  disableBinding: boolean;
  enableIdentityAliasMetadata: boolean;
  ocspCacheSize: number;
  roleCacheSize: number;
}

export const DEFAULT_CONFIG: CertConfig = { disableBinding: false, enableIdentityAliasMetadata: false, ocspCacheSize: 100, roleCacheSize: 200 };

export const CERT_PREFIX = 'cert/';
export const CRL_PREFIX = 'crl/';
const CONFIG_KEY = 'config';

const NAME = /^[A-Za-z0-9_.@-]{1,128}$/;
export const isEntryName = (name: string) => NAME.test(name) && name !== '.' && name !== '..';

export const getRole = async (s: Storage, name: string) => (isEntryName(name) ? getJson<CertRole>(s, CERT_PREFIX + name) : null);
export const putRole = (s: Storage, r: CertRole) => putJson(s, CERT_PREFIX + r.name, r);
export const getCrl = async (s: Storage, name: string) => (isEntryName(name) ? getJson<StoredCrl>(s, CRL_PREFIX + name) : null);
export const putCrl = (s: Storage, c: StoredCrl) => putJson(s, CRL_PREFIX + c.name, c);
export const getConfig = async (s: Storage): Promise<CertConfig> => ({ ...DEFAULT_CONFIG, ...(await getJson<Partial<CertConfig>>(s, CONFIG_KEY)) });
export const putConfig = (s: Storage, c: CertConfig) => putJson(s, CONFIG_KEY, c);

async function listNames(s: Storage, prefix: string): Promise<string[]> {
  return (await s.list(prefix)).filter((k) => !k.endsWith('/')).sort();
}

export async function allRoles(s: Storage): Promise<CertRole[]> {
  const roles = await Promise.all((await listNames(s, CERT_PREFIX)).map((n) => getRole(s, n)));
  return roles.filter((r): r is CertRole => r !== null);
}

/** Every revoked serial (decimal) of every configured CRL. */
async function revokedSerials(s: Storage): Promise<Set<string>> {
  const crls = await Promise.all((await listNames(s, CRL_PREFIX)).map((n) => getCrl(s, n)));
  return new Set(crls.flatMap((c) => c?.serials ?? []));
}

/** The revoked serials of a mount, read from storage once and kept until a CRL is written or deleted (or the mount forgets). */
export class RevokedSerials {
  private set: Set<string> | null = null;
  private generation = 0;

  async get(s: Storage): Promise<Set<string>> {
    if (this.set) return this.set;
    const generation = this.generation;
    const set = await revokedSerials(s);
    if (generation === this.generation) this.set = set;
    return set;
  }

  clear(): void {
    this.set = null;
    this.generation++;
  }
}

const parsed = new Map<string, ParsedCert[]>();

/** The certificates of a stored PEM bundle, parsed once. */
export function certsOf(pem: string, field = 'certificate'): ParsedCert[] {
  let certs = parsed.get(pem);
  if (!certs) {
    certs = parsePemBundle(pem, field);
    if (parsed.size > 1000) parsed.clear();
    parsed.set(pem, certs);
  }
  return certs;
}
