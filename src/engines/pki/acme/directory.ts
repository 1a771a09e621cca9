/**
 * The four kinds of ACME directory a mount serves (acme/, roles/:role/acme/,
 * issuer/:ref/acme/, issuer/:ref/roles/:role/acme/), what each one issues with, and the
 * absolute URLs of its resources, built from config/cluster.
 */
import type { Storage } from '../../../logical/storage.js';
import { findIssuer } from '../storage.js';
import { clusterConfig } from '../urls.js';
import { acmeConfig, type AcmeConfig } from './config.js';
import { problem } from './problem.js';

export interface DirectoryParams {
  role?: string;
  issuer_ref?: string;
}

export interface Directory {
  config: AcmeConfig;
  /** e.g. `roles/web/acme/`: the directory's path below the mount. */
  prefix: string;
  /** Absolute URL of the directory's root, without a trailing slash: `<cluster path>/roles/web/acme`. */
  base: string;
  /** The role from the path; '' for a directory without one. */
  role: string;
  /** The issuer reference from the path; '' for the role's (or the default) issuer. */
  issuer: string;
  url(rel: string): string;
}

const allowed = (list: string[], value: string) => list.includes('*') || list.includes(value);

export function directoryPrefix(p: DirectoryParams): string {
  return (p.issuer_ref !== undefined ? `issuer/${p.issuer_ref}/` : '') + (p.role !== undefined ? `roles/${p.role}/` : '') + 'acme/';
}

/** The directory a request is in, once ACME is on, the URLs can be built and the path's role and issuer are allowed. */
export async function openDirectory(storage: Storage, p: DirectoryParams): Promise<Directory> {
  const config = await acmeConfig(storage);
  if (!config.enabled) throw problem('unauthorized', 'ACME is disabled on this mount: write enabled=true to config/acme', 403);
  const cluster = await clusterConfig(storage);
  // An operator's unfinished set-up, not a server fault: refused like a disabled ACME.
  if (!cluster.path) throw problem('unauthorized', "ACME needs this mount's public URL: write path to config/cluster first", 403);
  if (p.role !== undefined && !allowed(config.allowed_roles, p.role)) {
    throw problem('unauthorized', `role "${p.role}" is not in config/acme allowed_roles`, 403);
  }
  if (p.issuer_ref !== undefined) {
    const issuer = await findIssuer(storage, p.issuer_ref);
    if (!issuer) throw problem('malformed', `unknown issuer "${p.issuer_ref}"`, 404);
    if (!allowed(config.allowed_issuers, p.issuer_ref) && !allowed(config.allowed_issuers, issuer.id) && !allowed(config.allowed_issuers, issuer.name)) {
      throw problem('unauthorized', `issuer "${p.issuer_ref}" is not in config/acme allowed_issuers`, 403);
    }
  }
  const prefix = directoryPrefix(p);
  const base = `${cluster.path}/${prefix.slice(0, -1)}`;
  return { config, prefix, base, role: p.role ?? '', issuer: p.issuer_ref ?? '', url: (rel) => `${base}/${rel}` };
}

/**
 * The role a directory issues under: its own, or for acme/ the default_directory_policy's
 * ('' = sign-verbatim). Checked when an order is made, so a forbidden directory takes none.
 */
export function issuingRole(dir: Directory): string {
  if (dir.role) return dir.role;
  const policy = dir.config.default_directory_policy;
  if (policy === 'sign-verbatim') return '';
  if (policy.startsWith('role:')) return policy.slice('role:'.length);
  if (policy === 'forbid') throw problem('unauthorized', 'this directory is forbidden by config/acme default_directory_policy: use a role\'s directory', 403);
  throw problem('unauthorized', `default_directory_policy "${policy}" is not supported by this server`, 403);
}

export function directoryDocument(dir: Directory): Record<string, unknown> {
  return {
    newNonce: dir.url('new-nonce'),
    newAccount: dir.url('new-account'),
    newOrder: dir.url('new-order'),
    revokeCert: dir.url('revoke-cert'),
    keyChange: dir.url('key-change'),
    meta: { externalAccountRequired: dir.config.eab_policy !== 'not-required' },
  };
}
