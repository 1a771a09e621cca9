/**
 * What a kubernetes mount keeps in its view: `config` (how to reach the cluster, or the keys
 * to verify service-account tokens locally) and `role/<name>` (which service accounts may
 * log in, and the tokens they get).
 */
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TokenParams } from '../shared/token-params.js';

export interface KubeConfig {
  kubernetesHost: string;
  kubernetesCaCert: string;
  /** Never returned by a read. */
  tokenReviewerJwt: string;
  pemKeys: string[];
  issuer: string;
  disableIssValidation: boolean;
  disableLocalCaJwt: boolean;
}

export type AliasNameSource = 'serviceaccount_uid' | 'serviceaccount_name';

export interface KubeRole {
  name: string;
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  audience: string;
  aliasNameSource: AliasNameSource;
  token: TokenParams;
}

export const CONFIG_KEY = 'config';
export const ROLE_PREFIX = 'role/';

const ROLE_NAME = /^[A-Za-z0-9_.@-]{1,128}$/;

export const isRoleName = (name: string) => ROLE_NAME.test(name);

export function requireRoleName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw invalidRequest('missing role name');
  if (!isRoleName(name)) throw invalidRequest('invalid role name: use up to 128 letters, digits, "_", "-", "." and "@"');
  return name;
}

export const getConfig = (s: Storage) => getJson<KubeConfig>(s, CONFIG_KEY);
export const putConfig = (s: Storage, c: KubeConfig) => putJson(s, CONFIG_KEY, c);
export const getRole = (s: Storage, name: string) => getJson<KubeRole>(s, ROLE_PREFIX + name);
export const putRole = (s: Storage, r: KubeRole) => putJson(s, ROLE_PREFIX + r.name, r);
export const deleteRole = (s: Storage, name: string) => s.delete(ROLE_PREFIX + name);
