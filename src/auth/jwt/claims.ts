/**
 * Claim checks after the signature: times with leeway, issuer, audience, subject, bound
 * claims (exact or glob, scalar or list-valued), and the claims a login takes its alias,
 * metadata and groups from. Claim names starting with "/" are JSON pointers into the payload.
 */
import { globMatch } from '../../framework/glob.js';
import { TokenInvalid } from './keys.js';
import type { JwtConfig, JwtRole } from './storage.js';

export type Claims = Record<string, unknown>;

const DEFAULT_CLOCK_SKEW = 60;
const DEFAULT_EXP_LEEWAY = 150;
const DEFAULT_NBF_LEEWAY = 150;

/** The value at `name`: a top-level claim, or a JSON pointer when it starts with "/". */
export function claimAt(claims: Claims, name: string, pointer = name.startsWith('/')): unknown {
  if (!pointer) return claims[name];
  let node: unknown = claims;
  for (const raw of name.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? (/^\d+$/.test(key) ? node[Number(key)] : undefined) : (node as Record<string, unknown>)[key];
  }
  return node;
}

const leeway = (value: number, dflt: number) => (value === 0 ? dflt : value < 0 ? 0 : value);

const asSeconds = (claims: Claims, name: string): number | undefined => {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TokenInvalid(`the "${name}" claim is not a number`);
  return v;
};

/** exp, nbf and iat against the clock, with the role's leeways. */
export function checkTimes(claims: Claims, role: JwtRole, nowMs: number): void {
  const now = Math.floor(nowMs / 1000);
  const skew = leeway(role.clockSkewLeeway, DEFAULT_CLOCK_SKEW);
  const exp = asSeconds(claims, 'exp');
  const nbf = asSeconds(claims, 'nbf');
  const iat = asSeconds(claims, 'iat');
  if (exp === undefined) throw new TokenInvalid('the JWT has no "exp" claim');
  if (now > exp + skew + leeway(role.expirationLeeway, DEFAULT_EXP_LEEWAY)) throw new TokenInvalid('the JWT has expired');
  const notBefore = nbf ?? iat;
  if (notBefore !== undefined && now < notBefore - skew - leeway(role.notBeforeLeeway, DEFAULT_NBF_LEEWAY)) throw new TokenInvalid('the JWT is not valid yet');
  if (iat !== undefined && iat > now + skew) throw new TokenInvalid('the JWT was issued in the future');
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** iss, aud and sub against the config and the role. */
export function checkStandardClaims(claims: Claims, config: JwtConfig, role: JwtRole): void {
  if (config.boundIssuer !== '' && claims.iss !== config.boundIssuer) throw new TokenInvalid('the "iss" claim does not match bound_issuer');
  const aud = asList(claims.aud).filter((a): a is string => typeof a === 'string');
  if (role.boundAudiences.length > 0) {
    if (!aud.some((a) => role.boundAudiences.includes(a))) throw new TokenInvalid('the "aud" claim does not match any of the role\'s bound_audiences');
  } else if (aud.length > 0 && role.roleType === 'jwt') {
    throw new TokenInvalid('the JWT has an "aud" claim but the role has no bound_audiences');
  }
  if (role.boundSubject !== '' && claims.sub !== role.boundSubject) throw new TokenInvalid('the "sub" claim does not match bound_subject');
}

const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Every bound claim must have a value among the allowed ones (any item, for a list-valued claim). */
export function checkBoundClaims(claims: Claims, role: JwtRole): void {
  for (const [name, expected] of Object.entries(role.boundClaims)) {
    const actual = asList(claimAt(claims, name)).map(scalarText).filter((v): v is string => v !== undefined);
    if (actual.length === 0) throw new TokenInvalid(`the JWT lacks the bound claim ${JSON.stringify(name)}`);
    const allowed = asList(expected).map(scalarText).filter((v): v is string => v !== undefined);
    const ok = actual.some((a) => allowed.some((p) => (role.boundClaimsType === 'glob' ? globMatch(p, a) : p === a)));
    if (!ok) throw new TokenInvalid(`the claim ${JSON.stringify(name)} does not match the role's bound_claims`);
  }
}

/** Metadata from claim_mappings (claim → key); strings, numbers and booleans only, as Vault. */
export function mappedMetadata(claims: Claims, role: JwtRole): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [claim, key] of Object.entries(role.claimMappings)) {
    const v = scalarText(claimAt(claims, claim));
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The alias name from user_claim: a string (or number) claim that must be present. */
export function userName(claims: Claims, role: JwtRole): string {
  const v = scalarText(claimAt(claims, role.userClaim, role.userClaimJsonPointer));
  if (v === undefined || v === '') throw new TokenInvalid(`the JWT has no usable user_claim ${JSON.stringify(role.userClaim)}`);
  return v;
}

/** The groups from groups_claim (a list of strings or one string); none when unset. */
export function groupNames(claims: Claims, role: JwtRole): string[] {
  if (role.groupsClaim === '') return [];
  const v = claimAt(claims, role.groupsClaim);
  if (v === undefined) throw new TokenInvalid(`the JWT has no groups_claim ${JSON.stringify(role.groupsClaim)}`);
  const list = asList(v);
  if (!list.every((g) => typeof g === 'string')) throw new TokenInvalid(`the groups_claim ${JSON.stringify(role.groupsClaim)} is not a list of strings`);
  return [...new Set(list as string[])];
}
