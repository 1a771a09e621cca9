/**
 * The identity token issuer's settings and public face: `oidc/config`, the unauthenticated
 * `oidc/.well-known/openid-configuration` and `oidc/.well-known/keys`, and
 * `oidc/introspect`, which says whether a token this server issued is still good.
 */
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { z } from 'zod';
import { invalidRequest } from '../../../../errors.js';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import type { Storage } from '../../../../logical/storage.js';
import { publicJwks } from '../keys.js';
import type { OidcState } from '../oidc-state.js';
import { allRecords, readConfig, writeConfig } from '../records.js';
import { ALGORITHMS, type NamedKey } from '../types.js';

const ISSUER_WARNING =
  'If "issuer" is set explicitly, every token must be validated against that address. Setting issuer to "" restores the default: the server’s api_addr.';

/** Seconds until the first of `keys` rotates: how long a JWKS answer may be cached. */
export function maxAge(keys: NamedKey[], now: number): number {
  const next = Math.min(...keys.map((k) => k.nextRotation));
  return Number.isFinite(next) ? Math.max(0, Math.floor((next - now) / 1000)) : 0;
}

export async function keySet(keys: NamedKey[], now: number): Promise<JWK[]> {
  return keys.flatMap((k) => publicJwks(k, now));
}

async function allKeys(oidc: OidcState, storage: Storage, now: number): Promise<NamedKey[]> {
  await oidc.ensureDefaults(storage, now);
  const out: NamedKey[] = [];
  for (const k of await allRecords(storage, 'key')) out.push((await oidc.keyForSigning(storage, k.name, now)) ?? k);
  return out;
}

export function tokenConfigPaths(oidc: OidcState): PathDefinition[] {
  return [
    definePath({
      pattern: 'oidc/config',
      fields: { issuer: z.string().optional().describe('scheme://host:port for the iss claim; empty = the server’s api_addr') },
      operations: {
        read: async (ctx) => ({ data: { issuer: (await readConfig(ctx.storage)).issuer } }),
        update: async (ctx) => {
          const issuer = (ctx.fields.issuer ?? '').trim().replace(/\/+$/, '');
          if (issuer !== '') {
            let url: URL;
            try {
              url = new URL(issuer);
            } catch {
              throw invalidRequest('issuer must be a URL such as https://vault.example.com:8200');
            }
            if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidRequest('issuer must use http or https');
            if (url.search || url.hash) throw invalidRequest('issuer must not have a query or fragment');
          }
          await writeConfig(ctx.storage, { issuer });
          return issuer ? { warnings: [ISSUER_WARNING] } : null;
        },
      },
      help: { synopsis: 'Read or set the issuer of identity tokens.' },
    }),
    definePath({
      pattern: 'oidc/.well-known/openid-configuration',
      operations: {
        read: async (ctx) => {
          const issuer = await oidc.tokenIssuer(ctx.storage);
          return {
            raw: {
              issuer,
              jwks_uri: `${issuer}/.well-known/keys`,
              authorization_endpoint: '',
              token_endpoint: '',
              response_types_supported: ['id_token'],
              subject_types_supported: ['public'],
              id_token_signing_alg_values_supported: [...ALGORITHMS],
              scopes_supported: null,
              token_endpoint_auth_methods_supported: null,
              claims_supported: null,
            },
          };
        },
      },
      help: { synopsis: 'OpenID discovery document of the identity token issuer.' },
    }),
    definePath({
      pattern: 'oidc/.well-known/keys',
      operations: {
        read: async (ctx) => {
          const now = ctx.clock();
          const keys = await allKeys(oidc, ctx.storage, now);
          return { raw: { keys: await keySet(keys, now) }, headers: { 'cache-control': `max-age=${maxAge(keys, now)}` } };
        },
      },
      help: { synopsis: 'The public keys that verify identity tokens (JWKS).' },
    }),
    definePath({
      pattern: 'oidc/introspect',
      fields: {
        token: z.string().optional().describe('An identity token this server issued'),
        client_id: z.string().optional().describe('When given, the token’s audience must include it'),
      },
      operations: {
        update: async (ctx) => {
          const token = ctx.fields.token?.trim();
          if (!token) throw invalidRequest('missing token');
          const now = ctx.clock();
          const jwks = createLocalJWKSet({ keys: await keySet(await allKeys(oidc, ctx.storage, now), now) });
          try {
            const { payload } = await jwtVerify(token, jwks, {
              issuer: await oidc.tokenIssuer(ctx.storage),
              currentDate: new Date(now),
              ...(ctx.fields.client_id ? { audience: ctx.fields.client_id } : {}),
            });
            const entity = typeof payload.sub === 'string' ? oidc.store.entity(payload.sub) : undefined;
            if (!entity || entity.disabled) return { raw: { active: false, error: 'the token’s entity is disabled or no longer exists' } };
            return { raw: { active: true } };
          } catch (err) {
            return { raw: { active: false, error: `error validating token: ${(err as Error).message}` } };
          }
        },
      },
      help: { synopsis: 'Whether an identity token is authentic, unexpired and (optionally) for a client.' },
    }),
  ];
}
