/**
 * What a jwt/oidc mount keeps in its view: `config` (how tokens are verified) and
 * `role/<name>` (what a verified token must carry, and the tokens its logins get).
 */
import { invalidRequest } from '../../errors.js';
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
export const ROLE_PREFIX = 'role/';

const ROLE_NAME = /^[A-Za-z0-9_.@-]{1,128}$/;

export function requireRoleName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw invalidRequest('missing role name');
  if (!ROLE_NAME.test(name)) throw invalidRequest('invalid role name: use up to 128 letters, digits, "_", "-", "." and "@"');
  return name;
}

export const getConfig = (s: Storage) => getJson<JwtConfig>(s, CONFIG_KEY);
export const putConfig = (s: Storage, c: JwtConfig) => putJson(s, CONFIG_KEY, c);
export const getRole = (s: Storage, name: string) => getJson<JwtRole>(s, ROLE_PREFIX + name);
export const putRole = (s: Storage, r: JwtRole) => putJson(s, ROLE_PREFIX + r.name, r);
export const deleteRole = (s: Storage, name: string) => s.delete(ROLE_PREFIX + name);
