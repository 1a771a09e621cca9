/**
 * `config`: how this mount verifies tokens. Exactly one key source — PEM keys, a JWKS URL, or
 * an OIDC discovery URL; remote sources are fetched when written, so a typo is a 400 now
 * rather than failed logins later. oidc_client_secret is kept but never read back.
 */
import { z } from 'zod';
import { hasCertificate } from '../../../crypto/pem-bundle.js';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { checkUrl, FetchError } from '../../shared/fetch-json.js';
import { ASYMMETRIC_ALGS, parsePublicKey, type KeyCache } from '../keys.js';
import { getConfig, putConfig, type JwtConfig } from '../storage.js';

const configFields = {
  jwt_validation_pubkeys: f.commaList().optional().describe('PEM public keys or certificates that JWTs are verified against'),
  jwks_url: z.string().optional().describe('A JWKS URL to fetch verification keys from'),
  jwks_ca_pem: z.string().optional().describe('CA certificate (PEM) for jwks_url; the system roots when empty'),
  oidc_discovery_url: z.string().optional().describe('The OIDC issuer URL; its discovery document names the JWKS'),
  oidc_discovery_ca_pem: z.string().optional().describe('CA certificate (PEM) for the discovery URL and its JWKS'),
  oidc_client_id: z.string().optional().describe('OAuth client id (for the OIDC flow)'),
  oidc_client_secret: z.string().optional().describe('OAuth client secret (for the OIDC flow); never returned'),
  oidc_response_mode: z.string().optional(),
  oidc_response_types: f.commaList().optional(),
  bound_issuer: z.string().optional().describe('The "iss" claim every JWT must carry'),
  default_role: z.string().optional().describe('The role a login without "role" uses'),
  jwt_supported_algs: f.commaList().optional().describe('Signing algorithms accepted (asymmetric only); all of them when empty'),
  namespace_in_state: f.bool().optional(),
  provider_config: f.map().optional().describe('Not supported'),
};

type ConfigFields = z.infer<z.ZodObject<typeof configFields>>;

const emptyConfig = (): JwtConfig => ({
  jwtValidationPubkeys: [],
  jwksUrl: '',
  jwksCaPem: '',
  oidcDiscoveryUrl: '',
  oidcDiscoveryCaPem: '',
  oidcClientId: '',
  oidcClientSecret: '',
  oidcResponseMode: '',
  oidcResponseTypes: [],
  boundIssuer: '',
  defaultRole: '',
  jwtSupportedAlgs: [],
  namespaceInState: true,
});

function checkConfig(c: JwtConfig): void {
  const sources = [c.jwtValidationPubkeys.length > 0, c.jwksUrl !== '', c.oidcDiscoveryUrl !== ''].filter(Boolean).length;
  if (sources !== 1) throw invalidRequest("exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set");
  c.jwtValidationPubkeys.forEach((pem, i) => parsePublicKey(pem, i));
  for (const [field, url] of [['jwks_url', c.jwksUrl], ['oidc_discovery_url', c.oidcDiscoveryUrl]] as const) {
    const problem = url === '' ? undefined : checkUrl(field, url);
    if (problem) throw invalidRequest(problem);
  }
  if (c.jwksCaPem !== '' && c.jwksUrl === '') throw invalidRequest('jwks_ca_pem is set but jwks_url is not');
  if (c.oidcDiscoveryCaPem !== '' && c.oidcDiscoveryUrl === '') throw invalidRequest('oidc_discovery_ca_pem is set but oidc_discovery_url is not');
  for (const [field, pem] of [['jwks_ca_pem', c.jwksCaPem], ['oidc_discovery_ca_pem', c.oidcDiscoveryCaPem]] as const) {
    if (pem !== '' && !hasCertificate(pem)) throw invalidRequest(`could not parse '${field}' value successfully: it holds no valid PEM certificate`);
  }
  for (const alg of c.jwtSupportedAlgs) {
    if (!ASYMMETRIC_ALGS.includes(alg)) throw invalidRequest(`jwt_supported_algs: ${JSON.stringify(alg.slice(0, 20))} is not supported; use asymmetric algorithms (${ASYMMETRIC_ALGS.join(', ')})`);
  }
  if (c.oidcResponseMode !== '' && c.oidcResponseMode !== 'query' && c.oidcResponseMode !== 'form_post') {
    throw invalidRequest('oidc_response_mode must be "query" or "form_post"');
  }
}

function configData(c: JwtConfig): Record<string, unknown> {
  return {
    jwt_validation_pubkeys: [...c.jwtValidationPubkeys],
    jwks_url: c.jwksUrl,
    jwks_ca_pem: c.jwksCaPem,
    jwks_pairs: [],
    oidc_discovery_url: c.oidcDiscoveryUrl,
    oidc_discovery_ca_pem: c.oidcDiscoveryCaPem,
    oidc_client_id: c.oidcClientId,
    oidc_response_mode: c.oidcResponseMode,
    oidc_response_types: [...c.oidcResponseTypes],
    bound_issuer: c.boundIssuer,
    default_role: c.defaultRole,
    jwt_supported_algs: [...c.jwtSupportedAlgs],
    namespace_in_state: c.namespaceInState,
    provider_config: {},
  };
}

async function writeConfig(ctx: HandlerContext<ConfigFields>, cache: KeyCache) {
  const v = ctx.fields;
  if (v.provider_config !== undefined && Object.keys(v.provider_config).length > 0) throw invalidRequest('provider_config is not supported by this server');
  const current = (await getConfig(ctx.storage)) ?? emptyConfig();
  const next: JwtConfig = {
    jwtValidationPubkeys: (v.jwt_validation_pubkeys ?? current.jwtValidationPubkeys).filter((k) => k.trim() !== ''),
    jwksUrl: (v.jwks_url ?? current.jwksUrl).trim(),
    jwksCaPem: v.jwks_ca_pem ?? current.jwksCaPem,
    oidcDiscoveryUrl: (v.oidc_discovery_url ?? current.oidcDiscoveryUrl).trim(),
    oidcDiscoveryCaPem: v.oidc_discovery_ca_pem ?? current.oidcDiscoveryCaPem,
    oidcClientId: v.oidc_client_id ?? current.oidcClientId,
    oidcClientSecret: v.oidc_client_secret ?? current.oidcClientSecret,
    oidcResponseMode: v.oidc_response_mode ?? current.oidcResponseMode,
    oidcResponseTypes: v.oidc_response_types ?? current.oidcResponseTypes,
    boundIssuer: v.bound_issuer ?? current.boundIssuer,
    defaultRole: v.default_role ?? current.defaultRole,
    jwtSupportedAlgs: v.jwt_supported_algs ?? current.jwtSupportedAlgs,
    namespaceInState: v.namespace_in_state ?? current.namespaceInState,
  };
  checkConfig(next);
  try {
    await cache.load(next, ctx.clock());
  } catch (err) {
    if (err instanceof FetchError) throw invalidRequest(`error checking the key source: ${err.message}`);
    throw err;
  }
  await putConfig(ctx.storage, next);
  return null;
}

export function configPath(cache: KeyCache): PathDefinition {
  return definePath({
    pattern: 'config',
    fields: configFields,
    operations: {
      read: async (ctx) => {
        const c = await getConfig(ctx.storage);
        return c ? { data: configData(c) } : null;
      },
      create: (ctx) => writeConfig(ctx, cache),
      update: (ctx) => writeConfig(ctx, cache),
    },
    help: { synopsis: 'Configure how JWTs are verified: PEM keys, a JWKS URL, or OIDC discovery.' },
  });
}
