/**
 * What the PKI engine keeps in its storage view (behind the barrier): issuers, their keys,
 * the default issuer, roles and issued certificates. Issuers and keys are found by id, by
 * name or, for `default`, through config/issuers, as in Vault's multi-issuer API.
 */
import { invalidRequest } from '../../errors.js';
import { getJson, jsonOp, putJson, type Storage, type StorageOp } from '../../logical/storage.js';
import type { KeySpec } from './keys.js';

export interface IssuerEntry {
  id: string;
  name: string;
  keyId: string;
  /** PEM of this issuer's certificate */
  certificate: string;
  /** PEMs above it, itself first (a root: just itself) */
  caChain: string[];
  serialNumber: string;
  /** unix seconds: leaves may not outlive it */
  notAfter: number;
  /** Settings from issuer/:ref updates; absent means Vault's default (see issuerSettings). */
  leafNotAfterBehavior?: LeafNotAfterBehavior;
  /** Vault's usage names, sorted */
  usage?: IssuerUsage[];
  revocationSignatureAlgorithm?: string;
  manualChain?: string[];
  issuingCertificates?: string[];
  crlDistributionPoints?: string[];
  ocspServers?: string[];
  enableAiaUrlTemplating?: boolean;
}

export type LeafNotAfterBehavior = 'err' | 'truncate' | 'permit';
export const ISSUER_USAGES = ['crl-signing', 'issuing-certificates', 'ocsp-signing', 'read-only'] as const;
export type IssuerUsage = (typeof ISSUER_USAGES)[number];

/** What an issuer allows, its unset settings filled with Vault's defaults. */
export function issuerSettings(i: IssuerEntry) {
  return {
    leafNotAfterBehavior: i.leafNotAfterBehavior ?? 'err',
    usage: i.usage ?? [...ISSUER_USAGES],
  };
}

export interface KeyEntry {
  id: string;
  name: string;
  spec: KeySpec;
  /** PKCS#8 PEM */
  privateKey: string;
}

export interface IssuersConfig {
  default: string;
}

const ISSUER = 'issuer/';
const KEY = 'key/';
const CONFIG = 'config/issuers';

/** Names Vault accepts for issuers and keys: letters, digits, '-', '_' and '.'; not `default`. */
export function checkName(kind: 'issuer' | 'key', name: string): void {
  if (name === '') return;
  if (name === 'default') throw invalidRequest(`${kind} name "default" is reserved`);
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) throw invalidRequest(`invalid ${kind}_name "${name}": use letters, digits, '-', '_' or '.'`);
}

export const issuersConfig = async (s: Storage) => (await getJson<IssuersConfig>(s, CONFIG)) ?? { default: '' };
export const putIssuersConfig = (s: Storage, c: IssuersConfig) => putJson(s, CONFIG, c);
export const issuerOp = (e: IssuerEntry): StorageOp => jsonOp(ISSUER + e.id, e);
export const keyOp = (e: KeyEntry): StorageOp => jsonOp(KEY + e.id, e);
export const issuersConfigOp = (c: IssuersConfig): StorageOp => jsonOp(CONFIG, c);
export const deleteIssuerOp = (id: string): StorageOp => ({ kind: 'delete', key: ISSUER + id });
export const deleteKeyOp = (id: string): StorageOp => ({ kind: 'delete', key: KEY + id });
export const getKey = (s: Storage, id: string) => getJson<KeyEntry>(s, KEY + id);
export const getIssuer = (s: Storage, id: string) => getJson<IssuerEntry>(s, ISSUER + id);

async function all<T>(s: Storage, prefix: string): Promise<T[]> {
  const ids = await s.list(prefix);
  const out: T[] = [];
  for (const id of ids) {
    const e = await getJson<T>(s, prefix + id);
    if (e) out.push(e);
  }
  return out;
}

export const allIssuers = (s: Storage) => all<IssuerEntry>(s, ISSUER);
export const allKeys = (s: Storage) => all<KeyEntry>(s, KEY);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An issuer by id, name or `default`; null when there is none. */
export async function findIssuer(s: Storage, ref: string): Promise<IssuerEntry | null> {
  if (ref === 'default' || ref === '') {
    const { default: id } = await issuersConfig(s);
    return id ? getJson<IssuerEntry>(s, ISSUER + id) : null;
  }
  if (UUID.test(ref)) {
    const byId = await getJson<IssuerEntry>(s, ISSUER + ref);
    if (byId) return byId;
  }
  return (await allIssuers(s)).find((i) => i.name === ref) ?? null;
}

/** findIssuer, or a 400 naming the reference (Vault answers an unknown issuer_ref so). */
export async function issuerOrFail(s: Storage, ref: string): Promise<IssuerEntry> {
  const found = await findIssuer(s, ref);
  if (found) return found;
  if (ref === 'default' || ref === '') throw invalidRequest('no default issuer configured: generate or import a root first');
  throw invalidRequest(`unable to find issuer "${ref}": no issuer has that id or name`);
}

export async function findKey(s: Storage, ref: string): Promise<KeyEntry | null> {
  if (ref === 'default' || ref === '') {
    const issuer = await findIssuer(s, 'default');
    return issuer ? getKey(s, issuer.keyId) : null;
  }
  if (UUID.test(ref)) {
    const byId = await getKey(s, ref);
    if (byId) return byId;
  }
  return (await allKeys(s)).find((k) => k.name === ref) ?? null;
}
