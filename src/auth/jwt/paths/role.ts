/** `role/` (LIST) and `role/:name` (create, read, update, delete). */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import type { PathDefinition } from '../../../framework/backend.js';
import { f, parseDuration } from '../../../framework/fields.js';
import { rolePathTable } from '../../shared/roles.js';
import {
  applyTokenFields,
  checkAgainstMount,
  defaultTokenParams,
  legacyTokenFields,
  tokenFields,
  tokenParamsDataWithLegacyNames,
  type TokenFieldValues,
} from '../../shared/token-params.js';
import { type JwtRole } from '../storage.js';

/** Seconds as a duration, or -1 ("no leeway at all"). */
const leewayInput = () =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    if (v === -1 || (typeof v === 'string' && v.trim() === '-1')) return -1;
    const seconds = parseDuration(v);
    if (seconds !== undefined) return seconds;
    ctx.addIssue({ code: 'custom', message: 'expected -1 or a duration such as 30, "30s" or "2m"' });
    return z.NEVER;
  });

const roleFields = {
  name: z.string().describe('Name of the role'),
  role_type: z.string().optional().describe('"jwt" (the default) or "oidc"'),
  bound_audiences: f.commaList().optional().describe('The "aud" values accepted; one must be in the token'),
  bound_subject: z.string().optional().describe('The "sub" value required'),
  bound_claims: f.map().optional().describe('Claims and the values (a value or a list) each must have'),
  bound_claims_type: z.string().optional().describe('"string" (exact, the default) or "glob" ("*" wildcards)'),
  claim_mappings: f.stringMap().optional().describe('Claim → metadata key, for the token and the alias'),
  user_claim: z.string().optional().describe('The claim whose value names the user (the alias); required'),
  user_claim_json_pointer: f.bool().optional().describe('Read user_claim as a JSON pointer'),
  groups_claim: z.string().optional().describe('The claim listing the groups the user is in'),
  clock_skew_leeway: leewayInput().optional().describe('Seconds of clock skew allowed; 0 = 60, -1 = none'),
  expiration_leeway: leewayInput().optional().describe('Seconds past "exp" still accepted; 0 = 150, -1 = none'),
  not_before_leeway: leewayInput().optional().describe('Seconds before "nbf" already accepted; 0 = 150, -1 = none'),
  allowed_redirect_uris: f.commaList().optional().describe('Redirect URIs of the OIDC flow'),
  oidc_scopes: f.commaList().optional(),
  verbose_oidc_logging: f.bool().optional(),
  max_age: f.duration().optional(),
  ...tokenFields,
  ...legacyTokenFields,
};

type RoleFields = z.infer<z.ZodObject<typeof roleFields>>;

const RESERVED_METADATA = new Set(['role']);

function leewayField(name: string, v: number | undefined, current: number): number {
  if (v === undefined) return current;
  if (v < -1) throw invalidRequest(`${name} cannot be less than -1`);
  return v;
}

function checkBoundClaims(claims: Record<string, unknown>, type: string): void {
  for (const [name, value] of Object.entries(claims)) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || !list.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      throw invalidRequest(`bound_claims: the value of ${JSON.stringify(name.slice(0, 64))} must be a string, number, boolean or a list of them`);
    }
    if (type === 'glob' && !list.every((v) => typeof v === 'string')) throw invalidRequest('bound_claims: with bound_claims_type "glob", every value must be a string');
  }
}

export function applyRole(current: JwtRole | null, name: string, v: RoleFields, mountMaxTtl: number, warnings: string[]): JwtRole {
  const roleType = (v.role_type ?? current?.roleType ?? 'jwt').trim().toLowerCase();
  if (roleType !== 'jwt' && roleType !== 'oidc') throw invalidRequest(`invalid role_type "${roleType.slice(0, 20)}": expected "jwt" or "oidc"`);
  const boundClaimsType = (v.bound_claims_type ?? current?.boundClaimsType ?? 'string').trim().toLowerCase();
  if (boundClaimsType !== 'string' && boundClaimsType !== 'glob') throw invalidRequest(`invalid bound_claims_type "${boundClaimsType.slice(0, 20)}": expected "string" or "glob"`);
  const boundClaims = v.bound_claims ?? current?.boundClaims ?? {};
  checkBoundClaims(boundClaims, boundClaimsType);
  const claimMappings = v.claim_mappings ?? current?.claimMappings ?? {};
  const targets = new Set<string>();
  for (const key of Object.values(claimMappings)) {
    if (RESERVED_METADATA.has(key)) throw invalidRequest(`claim_mappings: metadata key "${key}" is reserved`);
    if (targets.has(key)) throw invalidRequest(`claim_mappings: metadata key "${key.slice(0, 64)}" is mapped more than once`);
    targets.add(key);
  }
  const userClaim = (v.user_claim ?? current?.userClaim ?? '').trim();
  if (userClaim === '') throw invalidRequest('a user claim must be defined on the role (user_claim)');
  const token = applyTokenFields(current?.token ?? defaultTokenParams(), v as TokenFieldValues, warnings);
  checkAgainstMount(token, mountMaxTtl, warnings);
  const role: JwtRole = {
    name,
    roleType: roleType as JwtRole['roleType'],
    boundAudiences: v.bound_audiences ?? current?.boundAudiences ?? [],
    boundSubject: v.bound_subject ?? current?.boundSubject ?? '',
    boundClaims,
    boundClaimsType: boundClaimsType as JwtRole['boundClaimsType'],
    claimMappings,
    userClaim,
    userClaimJsonPointer: v.user_claim_json_pointer ?? current?.userClaimJsonPointer ?? false,
    groupsClaim: (v.groups_claim ?? current?.groupsClaim ?? '').trim(),
    clockSkewLeeway: leewayField('clock_skew_leeway', v.clock_skew_leeway, current?.clockSkewLeeway ?? 0),
    expirationLeeway: leewayField('expiration_leeway', v.expiration_leeway, current?.expirationLeeway ?? 0),
    notBeforeLeeway: leewayField('not_before_leeway', v.not_before_leeway, current?.notBeforeLeeway ?? 0),
    allowedRedirectUris: v.allowed_redirect_uris ?? current?.allowedRedirectUris ?? [],
    oidcScopes: v.oidc_scopes ?? current?.oidcScopes ?? [],
    verboseOidcLogging: v.verbose_oidc_logging ?? current?.verboseOidcLogging ?? false,
    maxAge: v.max_age ?? current?.maxAge ?? 0,
    token,
  };
  if (role.roleType === 'oidc' && role.allowedRedirectUris.length === 0) throw invalidRequest('"allowed_redirect_uris" must be set if role_type is "oidc" or unspecified');
  if (role.roleType === 'jwt' && role.boundAudiences.length === 0 && role.boundSubject === '' && Object.keys(role.boundClaims).length === 0) {
    throw invalidRequest('must have at least one bound constraint when creating/updating a role (bound_audiences, bound_subject or bound_claims)');
  }
  return role;
}

function roleData(r: JwtRole): Record<string, unknown> {
  return {
    role_type: r.roleType,
    bound_audiences: [...r.boundAudiences],
    bound_subject: r.boundSubject,
    bound_claims: Object.keys(r.boundClaims).length > 0 ? r.boundClaims : null,
    bound_claims_type: r.boundClaimsType,
    claim_mappings: Object.keys(r.claimMappings).length > 0 ? r.claimMappings : null,
    user_claim: r.userClaim,
    user_claim_json_pointer: r.userClaimJsonPointer,
    groups_claim: r.groupsClaim,
    clock_skew_leeway: r.clockSkewLeeway,
    expiration_leeway: r.expirationLeeway,
    not_before_leeway: r.notBeforeLeeway,
    allowed_redirect_uris: [...r.allowedRedirectUris],
    oidc_scopes: [...r.oidcScopes],
    verbose_oidc_logging: r.verboseOidcLogging,
    max_age: r.maxAge,
    ...tokenParamsDataWithLegacyNames(r.token),
  };
}

export function rolePaths(): PathDefinition[] {
  return rolePathTable({
    fields: roleFields,
    apply: applyRole,
    data: roleData,
    description: 'A role names what a JWT must carry (audiences, subject, bound claims), which claim names the user, and the token_* settings of the tokens its logins get.',
  });
}
