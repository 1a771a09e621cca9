/**
 * A provider's OpenID Connect flow: `authorize`
 * (the caller's Coffer token is the end-user's login; answers {code, state} as Vault does,
 * for the UI or client to redirect with), `token` (unauthenticated; the client authenticates
 * itself) and `userinfo` (the access token is the credential).
 *
 * Access tokens are JWTs signed with the client's key (typ at+jwt, audience the userinfo
 * endpoint, as RFC 9068), so userinfo needs no stored state; claims are computed from the
 * entity as it is when userinfo is called.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, createLocalJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { definePath, type HandlerContext, type PathDefinition } from '../../../../framework/backend.js';
import { f } from '../../../../framework/fields.js';
import type { Response } from '../../../../logical/request.js';
import type { Storage } from '../../../../logical/storage.js';
import { halfHash, keyAllows, publicJwks, signClaims, signingVersion } from '../keys.js';
import { bearerOf, clientCredentials, oauthAnswer, oauthError, pkceMatches, secretsEqual } from '../oauth.js';
import { CODE_TTL_MS, type OidcState } from '../oidc-state.js';
import { allRecords, readRecord } from '../records.js';
import { renderTemplate, type TemplateEntity } from '../template.js';
import type { Assignment, Client, Provider } from '../types.js';

export const providerAllows = (p: Provider, clientId: string) => p.allowedClientIds.includes('*') || p.allowedClientIds.includes(clientId);

async function clientById(storage: Storage, clientId: string): Promise<Client | undefined> {
  return (await allRecords(storage, 'client')).find((c) => c.clientId === clientId);
}

async function assignmentsOf(storage: Storage, client: Client): Promise<Assignment[]> {
  const out: Assignment[] = [];
  for (const name of client.assignments) {
    const a = await readRecord(storage, 'assignment', name);
    if (a) out.push(a);
  }
  return out;
}

/** Claims of the requested scopes the provider supports, merged in the order requested. */
async function scopeClaims(storage: Storage, provider: Provider, scopes: string[], entity: TemplateEntity, nowSec: number): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = {};
  for (const name of scopes) {
    if (name === 'openid' || !provider.scopesSupported.includes(name)) continue;
    const scope = await readRecord(storage, 'scope', name);
    if (scope) Object.assign(claims, renderTemplate(scope.template, entity, nowSec));
  }
  return claims;
}

const flowFields = {
  name: z.string().describe('Name of the provider'),
};

export function providerFlowPaths(oidc: OidcState): PathDefinition[] {
  const issuerOf = (p: Provider, ctx: HandlerContext) => oidc.providerIssuer(p.issuer, p.name);

  const provider = async (ctx: HandlerContext<{ name: string }>) => {
    await oidc.ensureDefaults(ctx.storage, ctx.clock());
    return readRecord(ctx.storage, 'provider', ctx.fields.name);
  };

  return [
    definePath({
      pattern: 'oidc/provider/:name/authorize',
      fields: {
        ...flowFields,
        client_id: z.string().optional(),
        redirect_uri: z.string().optional(),
        response_type: z.string().optional(),
        scope: z.string().optional(),
        state: z.string().optional(),
        nonce: z.string().optional(),
        max_age: f.int().optional().describe('Seconds since the caller’s token was issued beyond which a fresh login is required'),
        code_challenge: z.string().optional(),
        code_challenge_method: z.string().optional(),
        request: z.string().optional(),
        request_uri: z.string().optional(),
      },
      operations: {
        read: (ctx) => authorize(ctx),
        update: (ctx) => authorize(ctx),
      },
      help: { synopsis: 'Authorization endpoint: with a Coffer token as the end-user’s login, answers an authorization code.' },
    }),
    definePath({
      pattern: 'oidc/provider/:name/token',
      fields: {
        ...flowFields,
        grant_type: z.string().optional(),
        code: z.string().optional(),
        redirect_uri: z.string().optional(),
        client_id: z.string().optional(),
        client_secret: z.string().optional(),
        code_verifier: z.string().optional(),
      },
      operations: { update: (ctx) => token(ctx) },
      help: { synopsis: 'Token endpoint: redeems an authorization code for an ID token and an access token.' },
    }),
    definePath({
      pattern: 'oidc/provider/:name/userinfo',
      fields: flowFields,
      operations: { read: (ctx) => userinfo(ctx), update: (ctx) => userinfo(ctx) },
      help: { synopsis: 'UserInfo endpoint: the claims of the access token’s entity for its scopes.' },
    }),
  ];

  type AuthorizeFields = {
    name: string;
    client_id?: string;
    redirect_uri?: string;
    response_type?: string;
    scope?: string;
    state?: string;
    nonce?: string;
    max_age?: number;
    code_challenge?: string;
    code_challenge_method?: string;
    request?: string;
    request_uri?: string;
  };

  async function authorize(ctx: HandlerContext<AuthorizeFields>): Promise<Response> {
    const q = ctx.fields;
    const p = await provider(ctx);
    if (!p) return oauthError('invalid_request', `provider "${q.name}" not found`);
    if (!q.client_id) return oauthError('invalid_request', 'client_id parameter is required');
    const client = await clientById(ctx.storage, q.client_id);
    if (!client) return oauthError('invalid_request', 'client with client_id not found');
    if (!providerAllows(p, client.clientId)) return oauthError('unauthorized_client', 'client is not authorized to use the provider');
    if (!q.redirect_uri) return oauthError('invalid_request', 'redirect_uri parameter is required');
    if (!client.redirectUris.includes(q.redirect_uri)) return oauthError('invalid_request', 'redirect_uri is not allowed for the client');
    if (q.response_type !== 'code') return oauthError('unsupported_response_type', 'the response_type parameter must be "code"');
    const scopes = (q.scope ?? '').split(' ').filter((s) => s !== '');
    if (!scopes.includes('openid')) return oauthError('invalid_scope', 'the scope parameter must contain the "openid" value');
    if (q.request) return oauthError('request_not_supported', 'the request parameter is not supported');
    if (q.request_uri) return oauthError('request_uri_not_supported', 'the request_uri parameter is not supported');
    if (q.max_age !== undefined && q.max_age < 0) return oauthError('invalid_request', 'max_age must not be negative');

    const entityId = ctx.caller?.entityId;
    if (!entityId) return oauthError('access_denied', 'an identity entity must be associated with the request’s token');
    const entity = oidc.templateEntity(entityId);
    if (!entity || oidc.store.entity(entityId)?.disabled) return oauthError('access_denied', 'the identity entity is disabled or no longer exists');
    if (!oidc.assigned(await assignmentsOf(ctx.storage, client), entity)) return oauthError('access_denied', 'identity entity not authorized by client assignment');

    const method = q.code_challenge_method ?? (q.code_challenge ? 'plain' : undefined);
    if (client.clientType === 'public' && !q.code_challenge) return oauthError('invalid_request', 'PKCE is required for public clients');
    if (method !== undefined && method !== 'S256' && method !== 'plain') return oauthError('invalid_request', 'invalid code_challenge_method: expected "S256" or "plain"');
    if (method !== undefined && !q.code_challenge) return oauthError('invalid_request', 'code_challenge is required when code_challenge_method is given');
    if (q.code_challenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(q.code_challenge)) return oauthError('invalid_request', 'invalid code_challenge: 43 to 128 characters of [A-Za-z0-9-._~]');

    const nowSec = Math.floor(ctx.clock() / 1000);
    const authTime = ctx.caller?.issuedAt ?? nowSec;
    if (q.max_age !== undefined && nowSec - authTime > q.max_age) return oauthError('login_required', 'the end-user’s login is older than max_age: log in again');

    const code = oidc.saveCode({
      providerName: p.name,
      clientId: client.clientId,
      entityId,
      redirectUri: q.redirect_uri,
      scopes,
      nonce: q.nonce,
      codeChallenge: q.code_challenge,
      codeChallengeMethod: method as 'S256' | 'plain' | undefined,
      authTime,
      expiresAt: ctx.clock() + CODE_TTL_MS,
    }, ctx.clock());
    return oauthAnswer({ code, state: q.state ?? '' });
  }

  type TokenFields = { name: string; grant_type?: string; code?: string; redirect_uri?: string; client_id?: string; client_secret?: string; code_verifier?: string };

  async function token(ctx: HandlerContext<TokenFields>): Promise<Response> {
    const q = ctx.fields;
    const p = await provider(ctx);
    if (!p) return oauthError('invalid_request', `provider "${q.name}" not found`);
    const creds = clientCredentials(ctx.req, q);
    if (creds.malformed || !creds.clientId) return oauthError('invalid_client', 'client failed to authenticate');
    const client = await clientById(ctx.storage, creds.clientId);
    if (!client) return oauthError('invalid_client', 'client failed to authenticate');
    if (client.clientType === 'confidential' && (!creds.secret || !secretsEqual(creds.secret, client.clientSecret))) return oauthError('invalid_client', 'client failed to authenticate');
    if (client.clientType === 'public' && creds.secret) return oauthError('invalid_client', 'public clients must not send a client_secret');
    if (!providerAllows(p, client.clientId)) return oauthError('unauthorized_client', 'client is not authorized to use the provider');
    if (q.grant_type !== 'authorization_code') return oauthError('unsupported_grant_type', 'the grant_type must be "authorization_code"');
    if (!q.code) return oauthError('invalid_request', 'the code parameter is required');
    if (!q.redirect_uri) return oauthError('invalid_request', 'the redirect_uri parameter is required');

    const now = ctx.clock();
    const grant = oidc.takeCode(q.code, now);
    if (!grant || grant.clientId !== client.clientId || grant.providerName !== p.name) return oauthError('invalid_grant', 'authorization grant is invalid or expired');
    if (grant.redirectUri !== q.redirect_uri) return oauthError('invalid_grant', 'redirect_uri does not match the redirect_uri used in the authorization request');
    if (grant.codeChallenge) {
      if (!q.code_verifier) return oauthError('invalid_request', 'the code_verifier parameter is required: the authorization request used PKCE');
      if (!pkceMatches(q.code_verifier, grant.codeChallenge, grant.codeChallengeMethod ?? 'plain')) return oauthError('invalid_grant', 'failed to verify the code_verifier (PKCE)');
    } else if (q.code_verifier) return oauthError('invalid_request', 'a code_verifier was sent but the authorization request had no code_challenge');

    const entity = oidc.templateEntity(grant.entityId);
    if (!entity || oidc.store.entity(grant.entityId)?.disabled) return oauthError('invalid_grant', 'the identity entity is disabled or no longer exists');
    if (!oidc.assigned(await assignmentsOf(ctx.storage, client), entity)) return oauthError('invalid_grant', 'identity entity not authorized by client assignment');
    const key = await oidc.keyForSigning(ctx.storage, client.key, now);
    if (!key || !keyAllows(key, client.clientId)) return oauthError('unauthorized_client', `the key "${client.key}" does not allow this client`, 400);

    const iat = Math.floor(now / 1000);
    const issuer = issuerOf(p, ctx);
    // RFC 9068's shape: the audience is the userinfo endpoint, not the client, so no relying
    // party that trusts this provider's ID tokens for the client takes an access token for one.
    const accessToken = await signClaims(
      key,
      { iss: issuer, sub: grant.entityId, aud: `${issuer}/userinfo`, client_id: client.clientId, iat, exp: iat + client.accessTokenTtl, jti: randomUUID(), scope: grant.scopes.join(' ') },
      'at+jwt',
    );
    const alg = signingVersion(key).algorithm;
    const idToken = await signClaims(key, {
      ...(await scopeClaims(ctx.storage, p, grant.scopes, entity, iat)),
      iss: issuer,
      sub: grant.entityId,
      aud: client.clientId,
      iat,
      exp: iat + client.idTokenTtl,
      auth_time: grant.authTime,
      namespace: 'root',
      at_hash: halfHash(alg, accessToken),
      c_hash: halfHash(alg, q.code),
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
    });
    return oauthAnswer({ access_token: accessToken, token_type: 'Bearer', expires_in: client.accessTokenTtl, id_token: idToken });
  }

  async function userinfo(ctx: HandlerContext<{ name: string }>): Promise<Response> {
    const p = await provider(ctx);
    if (!p) return oauthError('invalid_request', `provider "${ctx.fields.name}" not found`);
    const bearer = bearerOf(ctx.req);
    if (!bearer) return oauthError('invalid_token', 'the request has no bearer access token');
    let clientId: string;
    try {
      if (decodeProtectedHeader(bearer).typ !== 'at+jwt') return oauthError('invalid_token', 'the bearer token is not an access token');
      clientId = String(decodeJwt(bearer).client_id ?? '');
    } catch {
      return oauthError('invalid_token', 'the bearer token is malformed');
    }
    const client = await clientById(ctx.storage, clientId);
    if (!client || !providerAllows(p, client.clientId)) return oauthError('invalid_token', 'the access token’s client is unknown to this provider');
    const now = ctx.clock();
    const key = await oidc.keyForSigning(ctx.storage, client.key, now);
    if (!key) return oauthError('invalid_token', 'the access token’s key is gone');
    let sub: string;
    let scopes: string[];
    try {
      const { payload } = await jwtVerify(bearer, createLocalJWKSet({ keys: publicJwks(key, now) }), { issuer: issuerOf(p, ctx), audience: `${issuerOf(p, ctx)}/userinfo`, typ: 'at+jwt', currentDate: new Date(now) });
      sub = String(payload.sub);
      scopes = String(payload.scope ?? '').split(' ');
    } catch (err) {
      return oauthError('invalid_token', `the access token is invalid: ${(err as Error).message}`);
    }
    const entity = oidc.templateEntity(sub);
    if (!entity || oidc.store.entity(sub)?.disabled) return oauthError('invalid_token', 'the identity entity is disabled or no longer exists');
    return oauthAnswer({ ...(await scopeClaims(ctx.storage, p, scopes, entity, Math.floor(now / 1000))), sub });
  }
}
