/**
 * A provider's unauthenticated discovery endpoints: `.well-known/openid-configuration` and
 * `.well-known/keys` (the keys of the clients the provider allows).
 */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import { publicJwks } from '../keys.js';
import { oauthError } from '../oauth.js';
import type { OidcState } from '../oidc-state.js';
import { allRecords, readRecord } from '../records.js';
import { ALGORITHMS } from '../types.js';
import { providerAllows } from './provider-flow.js';
import { maxAge } from './token-config.js';

const flowFields = { name: z.string().describe('Name of the provider') };

export function providerDiscoveryPaths(oidc: OidcState): PathDefinition[] {
  const provider = async (storage: Parameters<typeof readRecord>[0], name: string, now: number) => {
    await oidc.ensureDefaults(storage, now);
    return readRecord(storage, 'provider', name);
  };
  return [
    definePath({
      pattern: 'oidc/provider/:name/.well-known/openid-configuration',
      fields: flowFields,
      operations: {
        read: async (ctx) => {
          const p = await provider(ctx.storage, ctx.fields.name, ctx.clock());
          if (!p) return oauthError('invalid_request', `provider "${ctx.fields.name}" not found`, 404);
          const issuer = oidc.providerIssuer(p.issuer, p.name);
          const base = issuer.slice(0, issuer.indexOf('/v1/identity/oidc/provider/'));
          return {
            raw: {
              issuer,
              jwks_uri: `${issuer}/.well-known/keys`,
              authorization_endpoint: `${base}/ui/vault/identity/oidc/provider/${p.name}/authorize`,
              token_endpoint: `${issuer}/token`,
              userinfo_endpoint: `${issuer}/userinfo`,
              request_parameter_supported: false,
              request_uri_parameter_supported: false,
              id_token_signing_alg_values_supported: [...ALGORITHMS],
              response_types_supported: ['code'],
              scopes_supported: ['openid', ...p.scopesSupported],
              subject_types_supported: ['public'],
              grant_types_supported: ['authorization_code'],
              token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
              code_challenge_methods_supported: ['plain', 'S256'],
            },
          };
        },
      },
      help: { synopsis: 'OpenID discovery document of a provider.' },
    }),
    definePath({
      pattern: 'oidc/provider/:name/.well-known/keys',
      fields: flowFields,
      operations: {
        read: async (ctx) => {
          const p = await provider(ctx.storage, ctx.fields.name, ctx.clock());
          if (!p) return oauthError('invalid_request', `provider "${ctx.fields.name}" not found`, 404);
          const now = ctx.clock();
          const names = new Set((await allRecords(ctx.storage, 'client')).filter((c) => providerAllows(p, c.clientId)).map((c) => c.key));
          const keys = [];
          for (const n of names) {
            const k = await oidc.keyForSigning(ctx.storage, n, now);
            if (k) keys.push(k);
          }
          return { raw: { keys: keys.flatMap((k) => publicJwks(k, now)) }, headers: { 'cache-control': `max-age=${maxAge(keys, now)}` } };
        },
      },
      help: { synopsis: 'The public keys that verify a provider’s ID tokens (JWKS).' },
    }),
  ];
}
