/**
 * The OIDC authorization-code flow: `oidc/auth_url` gives the browser the provider's
 * authorization URL (with a fresh state and nonce); `oidc/callback` takes the code back,
 * exchanges it at the provider's token endpoint, verifies the ID token (signature, issuer,
 * audience = our client id, the nonce of this state) and the role's bounds, and logs in.
 * Both need no token, so every field has a size limit and auth_url keeps nothing: the state
 * is the sealed pending login itself (oidc-state.ts says why and how).
 */
import { z } from 'zod';
import { CofferError, invalidRequest, permissionDenied } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { addressAllowed } from '../../../framework/cidr.js';
import { fetchJson, FetchError } from '../../shared/fetch-json.js';
import { TokenInvalid, type KeyCache } from '../keys.js';
import { matchesDigest, MAX_CLIENT_NONCE, MAX_REDIRECT_URI, MAX_STATE, type OidcStates } from '../oidc-state.js';
import { getConfig, getRole, type JwtConfig } from '../storage.js';
import { authFromClaims, parsePayload } from './login.js';

const MAX_CODE = 4096;
const MAX_ID_TOKEN = 64 * 1024;

/** A string of at most `max` characters; a longer one is a 400 naming the field and the limit. */
const bounded = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const authUrlFields = {
  role: z.string().optional().describe('The OIDC role; the configured default_role when absent'),
  redirect_uri: bounded(MAX_REDIRECT_URI).optional().describe('Where the provider sends the browser back; must be one of the role\u2019s allowed_redirect_uris'),
  client_nonce: bounded(MAX_CLIENT_NONCE).optional().describe('A nonce the client must present again at the callback'),
};

const callbackFields = {
  state: bounded(MAX_STATE).optional(),
  code: bounded(MAX_CODE).optional(),
  id_token: bounded(MAX_ID_TOKEN).optional(),
  client_nonce: bounded(MAX_CLIENT_NONCE).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
};

async function oidcConfig(ctx: HandlerContext<unknown>): Promise<JwtConfig> {
  const config = await getConfig(ctx.storage);
  if (!config || config.oidcDiscoveryUrl === '' || config.oidcClientId === '') {
    throw invalidRequest('OIDC login is not configured: set oidc_discovery_url and oidc_client_id in config');
  }
  return config;
}

const provider = async (config: JwtConfig, cache: KeyCache, now: number) => {
  try {
    return await cache.providerMetadata(config, now);
  } catch (err) {
    if (err instanceof FetchError) throw invalidRequest(`error reaching the OIDC provider: ${err.message}`);
    throw err;
  }
};

async function authUrl(ctx: HandlerContext<z.infer<z.ZodObject<typeof authUrlFields>>>, states: OidcStates, cache: KeyCache): Promise<Response> {
  const config = await oidcConfig(ctx);
  const roleName = (ctx.fields.role ?? '').trim() || config.defaultRole;
  if (roleName === '') throw invalidRequest('missing role');
  const redirectUri = (ctx.fields.redirect_uri ?? '').trim();
  if (redirectUri === '') throw invalidRequest('missing redirect_uri');
  const role = await getRole(ctx.storage, roleName);
  if (!role) throw invalidRequest(`role "${roleName.slice(0, 128)}" could not be found`);
  if (role.roleType !== 'oidc') throw invalidRequest(`role "${roleName}" has role_type "jwt": log in at login with a JWT`);
  if (!role.allowedRedirectUris.includes(redirectUri)) throw invalidRequest(`unauthorized redirect_uri: ${redirectUri.slice(0, 200)}`);
  const meta = await provider(config, cache, ctx.clock());
  if (meta.authorizationEndpoint === '') throw invalidRequest('the OIDC provider names no authorization_endpoint');
  const { state, nonce } = states.issue({ role: role.name, redirectUri, clientNonce: ctx.fields.client_nonce ?? '' }, ctx.clock());
  const url = new URL(meta.authorizationEndpoint);
  const scopes = ['openid', ...role.oidcScopes.filter((s) => s !== 'openid')];
  url.searchParams.set('client_id', config.oidcClientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (role.maxAge > 0) url.searchParams.set('max_age', String(role.maxAge));
  if (config.oidcResponseMode !== '') url.searchParams.set('response_mode', config.oidcResponseMode);
  return { data: { auth_url: url.toString() } };
}

async function exchangeCode(config: JwtConfig, tokenEndpoint: string, code: string, redirectUri: string): Promise<string> {
  let res: { status: number; body: unknown };
  try {
    res = await fetchJson(tokenEndpoint, {
      method: 'POST',
      ca: config.oidcDiscoveryCaPem,
      basic: { user: config.oidcClientId, password: config.oidcClientSecret },
      form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
    });
  } catch (err) {
    if (err instanceof FetchError) throw invalidRequest(`error exchanging the authorization code: ${err.message}`);
    throw err;
  }
  const idToken = (res.body as { id_token?: unknown } | null)?.id_token;
  if (res.status !== 200 || typeof idToken !== 'string') throw invalidRequest(`error exchanging the authorization code: the provider answered ${res.status} without an id_token`);
  return idToken;
}

async function callback(ctx: HandlerContext<z.infer<z.ZodObject<typeof callbackFields>>>, states: OidcStates, cache: KeyCache): Promise<Response> {
  const f = ctx.fields;
  const pending = f.state ? states.open(f.state, ctx.clock()) : undefined;
  if (f.error) throw invalidRequest(`the OIDC provider refused the login: ${f.error.slice(0, 64)}${f.error_description ? `: ${f.error_description.slice(0, 200)}` : ''}`);
  if (!pending) throw invalidRequest('expired or missing OAuth state');
  if (!matchesDigest(pending.clientNonceDigest, f.client_nonce ?? '')) throw invalidRequest('invalid client_nonce');
  const config = await oidcConfig(ctx);
  const role = await getRole(ctx.storage, pending.role);
  if (!role) throw invalidRequest(`role "${pending.role}" could not be found`);
  // The state holds the redirect URI's digest: the URI is the role's, and must still be allowed.
  const redirectUri = role.allowedRedirectUris.find((uri) => matchesDigest(pending.redirectDigest, uri));
  if (redirectUri === undefined) throw invalidRequest('the redirect_uri of this login is no longer among the role\u2019s allowed_redirect_uris');
  if (role.token.boundCidrs.length > 0 && !addressAllowed(ctx.req.remoteAddress, role.token.boundCidrs)) throw permissionDenied();
  const code = (f.code ?? '').trim();
  if (code === '') throw invalidRequest('missing code');
  const meta = await provider(config, cache, ctx.clock());
  if (meta.tokenEndpoint === '') throw invalidRequest('the OIDC provider names no token_endpoint');
  const idToken = await exchangeCode(config, meta.tokenEndpoint, code, redirectUri);
  let auth: Response['auth'];
  try {
    const claims = parsePayload(await cache.verify(idToken, config, ctx.clock()));
    if (claims.iss !== meta.issuer) throw new TokenInvalid('the ID token\u2019s "iss" is not the provider');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(config.oidcClientId)) throw new TokenInvalid('the ID token\u2019s "aud" does not include the client id');
    if (claims.nonce !== pending.nonce) throw new TokenInvalid('the ID token\u2019s nonce does not match this login');
    const roleForAud = role.boundAudiences.length > 0 ? role : { ...role, boundAudiences: [config.oidcClientId] };
    auth = authFromClaims(claims, config, roleForAud, ctx.clock());
  } catch (err) {
    if (err instanceof TokenInvalid) throw invalidRequest(`error validating the ID token: ${err.message}`);
    throw err;
  }
  // Only now, with every check passed, is the state remembered: one login per state.
  const spent = states.spend(pending, ctx.clock());
  if (spent === 'replayed') throw invalidRequest('expired or missing OAuth state');
  if (spent === 'full') throw new CofferError('RateLimited', 'too many OIDC logins in the last ten minutes: try again in a few minutes');
  return { auth };
}

export function oidcPaths(states: OidcStates, cache: KeyCache): PathDefinition[] {
  return [
    definePath({
      pattern: 'oidc/auth_url',
      fields: authUrlFields,
      operations: { update: (ctx) => authUrl(ctx, states, cache) },
      help: { synopsis: 'Start an OIDC login: the provider\u2019s authorization URL for the browser.' },
    }),
    definePath({
      pattern: 'oidc/callback',
      fields: callbackFields,
      operations: { read: (ctx) => callback(ctx, states, cache), update: (ctx) => callback(ctx, states, cache) },
      help: { synopsis: 'Finish an OIDC login: the provider\u2019s code (and state) in exchange for a token.' },
    }),
  ];
}
