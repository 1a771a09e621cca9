/**
 * The OIDC records kept below the identity mount's storage (behind the barrier). Times are
 * unix ms, durations seconds. A named key carries its private halves: they never leave
 * this folder except as signatures.
 */
import type { JsonWebKey } from 'node:crypto';

export const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface KeyVersion {
  kid: string;
  algorithm: Algorithm;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  /** Set when the version stops signing: published until then, dropped afterwards. */
  expireAt?: number;
}

export interface NamedKey {
  name: string;
  algorithm: Algorithm;
  rotationPeriod: number;
  verificationTtl: number;
  allowedClientIds: string[];
  /** The version that signs; the others are kept for verification only. */
  signingKid: string;
  nextRotation: number;
  versions: KeyVersion[];
}

export interface Role {
  name: string;
  key: string;
  template: string;
  ttl: number;
  clientId: string;
}

export interface Provider {
  name: string;
  /** scheme://host:port as configured; empty = the server's api address. */
  issuer: string;
  allowedClientIds: string[];
  scopesSupported: string[];
}

export type ClientType = 'confidential' | 'public';

export interface Client {
  name: string;
  key: string;
  redirectUris: string[];
  assignments: string[];
  clientType: ClientType;
  idTokenTtl: number;
  accessTokenTtl: number;
  clientId: string;
  /** Empty for public clients. */
  clientSecret: string;
}

export interface Assignment {
  name: string;
  entityIds: string[];
  groupIds: string[];
}

export interface Scope {
  name: string;
  template: string;
  description: string;
}

export interface OidcConfig {
  issuer: string;
}

/** An authorization code as the token endpoint redeems it: once, before expiresAt. */
export interface AuthCode {
  providerName: string;
  clientId: string;
  entityId: string;
  redirectUri: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** unix seconds: when the caller's token was issued. */
  authTime: number;
  expiresAt: number;
}

export const DEFAULT_KEY = 'default';
export const DEFAULT_PROVIDER = 'default';
export const ALLOW_ALL = 'allow_all';
