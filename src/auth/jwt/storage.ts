/**
 * What a jwt/oidc mount keeps in its view: `config` (how tokens are verified) and
 * `role/<name>` (what a verified token must carry, and the tokens its logins get).
 */
import { getRole as getStoredRole } from '../shared/roles.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TokenParams } from '../shared/token-params.js';

export interface JwtConfig {
  jwtValidationPubkeys: string[];
  jwksUrl: string;
  jwksCaPem: string;
  oidcDiscoveryUrl: string;
  oidcDiscoveryCaPem: string;
  oidcClientId: string;
  /** Stored for the OIDC flow; never returned by a read. */
  oidcClientSecret: string;
  oidcResponseMode: string;
  oidcResponseTypes: string[];
  boundIssuer: string;
  defaultRole: string;
  jwtSupportedAlgs: string[];
  namespaceInState: boolean;
}

export type BoundClaimsType = 'string' | 'glob';

export interface JwtRole {
  name: string;
  roleType: 'jwt' | 'oidc';
  boundAudiences: string[];
  boundSubject: string;
  boundClaims: Record<string, unknown>;
  boundClaimsType: BoundClaimsType;
  claimMappings: Record<string, string>;
  userClaim: string;
  userClaimJsonPointer: boolean;
  groupsClaim: string;
  /** seconds; 0 = the default, -1 = none */
  clockSkewLeeway: number;
  expirationLeeway: number;
  notBeforeLeeway: number;
  allowedRedirectUris: string[];
  oidcScopes: string[];
  verboseOidcLogging: boolean;
  maxAge: number;
  token: TokenParams;
}

export const CONFIG_KEY = 'config';

export const getConfig = (s: Storage) => getJson<JwtConfig>(s, CONFIG_KEY);
export const putConfig = (s: Storage, c: JwtConfig) => putJson(s, CONFIG_KEY, c);
export const getRole = (s: Storage, name: string) => getStoredRole<JwtRole>(s, name);
