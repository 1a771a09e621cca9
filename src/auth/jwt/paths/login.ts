/**
 * `login` {role, jwt}: verify the signature against the mount's keys, then the claims against
 * the config and the role; the user claim names the alias, claim_mappings fill metadata, the
 * groups claim is kept for identity. As Vault: a request missing something is a 400, a JWT
 * that fails verification is a 400 "error validating token: <reason>" (the reason, never the
 * token), a caller outside token_bound_cidrs a 403.
 */
import { z } from 'zod';
import { invalidRequest, permissionDenied } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import type { AuthInfo, Response } from '../../../logical/request.js';
import { addressAllowed } from '../../../framework/cidr.js';
import { tokenAuth } from '../../shared/token-params.js';
import { checkBoundClaims, checkStandardClaims, checkTimes, groupNames, mappedMetadata, userName, type Claims } from '../claims.js';
import { TokenInvalid, type KeyCache } from '../keys.js';
import { getConfig, getRole, type JwtConfig, type JwtRole } from '../storage.js';

const loginFields = {
  role: z.string().optional().describe('The role to log in with; the configured default_role when absent'),
  jwt: z.string().optional().describe('The signed JWT'),
};

type LoginFields = z.infer<z.ZodObject<typeof loginFields>>;

const MAX_JWT_BYTES = 64 * 1024;

export function parsePayload(bytes: Uint8Array): Claims {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Claims;
  } catch {
    // fall through
  }
  throw new TokenInvalid('the JWT payload is not a JSON object');
}

async function login(ctx: HandlerContext<LoginFields>, cache: KeyCache): Promise<Response> {
  const jwt = (ctx.fields.jwt ?? '').trim();
  if (jwt === '') throw invalidRequest('missing jwt');
  if (jwt.length > MAX_JWT_BYTES) throw invalidRequest(`jwt is longer than ${MAX_JWT_BYTES} bytes`);
  const config = await getConfig(ctx.storage);
  if (!config) throw invalidRequest('could not load configuration: the mount is not configured (write config first)');
  const roleName = (ctx.fields.role ?? '').trim() || config.defaultRole;
  if (roleName === '') throw invalidRequest('missing role');
  const role = await getRole(ctx.storage, roleName);
  if (!role) throw invalidRequest(`role "${roleName.slice(0, 128)}" could not be found`);
  if (role.roleType === 'oidc') throw invalidRequest(`role "${roleName}" has role_type "oidc": use the OIDC login flow, or a role with role_type "jwt"`);
  if (role.token.boundCidrs.length > 0 && !addressAllowed(ctx.req.remoteAddress, role.token.boundCidrs)) throw permissionDenied();

  try {
    const claims = parsePayload(await cache.verify(jwt, config, ctx.clock()));
    return { auth: authFromClaims(claims, config, role, ctx.clock()) };
  } catch (err) {
    if (err instanceof TokenInvalid) throw invalidRequest(`error validating token: ${err.message}`);
    throw err;
  }
}

/** Checks verified claims against the config and role; the auth a login answers. Throws TokenInvalid. */
export function authFromClaims(claims: Claims, config: JwtConfig, role: JwtRole, now: number): AuthInfo {
  checkTimes(claims, role, now);
  checkStandardClaims(claims, config, role);
  checkBoundClaims(claims, role);
  const alias = userName(claims, role);
  const groups = groupNames(claims, role);
  const metadata = mappedMetadata(claims, role);
  return {
    ...tokenAuth(role.token),
    displayName: alias,
    metadata: { ...metadata, role: role.name },
    alias: { name: alias, metadata: { ...metadata } },
    // Only a role with a groups_claim speaks about groups; without one, memberships stay as they are.
    groupAliases: role.groupsClaim === '' ? undefined : groups.map((name) => ({ name })),
    internalData: { role: role.name, groups },
  };
}

export function loginPath(cache: KeyCache): PathDefinition {
  return definePath({
    pattern: 'login',
    fields: loginFields,
    operations: { update: (ctx) => login(ctx, cache) },
    help: { synopsis: 'Log in with a signed JWT.', description: 'Answers a token in the auth block when the JWT verifies and satisfies the role.' },
  });
}
