/**
 * What a kubernetes mount keeps in its view: `config` (how to reach the cluster, or the keys
 * to verify service-account tokens locally) and `role/<name>` (which service accounts may
 * log in, and the tokens they get).
 */
import { getRole as getStoredRole } from '../shared/roles.js';
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

export const getConfig = (s: Storage) => getJson<KubeConfig>(s, CONFIG_KEY);
export const putConfig = (s: Storage, c: KubeConfig) => putJson(s, CONFIG_KEY, c);
export const getRole = (s: Storage, name: string) => getStoredRole<KubeRole>(s, name);
