/**
 * Where a mount's verification keys come from, and the signature check itself: the PEM keys
 * of `jwt_validation_pubkeys`, a JWKS at `jwks_url`, or the `jwks_uri` an OIDC discovery
 * document names. Remote key sets are cached in memory and fetched again when a token names
 * a key id the cached set lacks (providers rotate keys), at most once per REFETCH_MS.
 *
 * As Vault, the signature is checked before anything else the token says: until a key
 * vouches for it, its header and claims are the sender's words. Only then is its `alg`
 * held against jwt_supported_algs. The signature check itself only ever accepts asymmetric
 * algorithms, so `alg: none` and an HMAC keyed with a public key (key confusion) fail it.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { fetchJson, FetchError } from '../shared/fetch-json.js';
import { PemKeyCache, parsePublicKey as parsePem } from '../shared/pem-keys.js';
import type { JwtConfig } from './storage.js';

/** The asymmetric algorithms Coffer verifies; HMAC and `none` never. */
export const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const REFETCH_MS = 5_000;
const PROVIDER_TTL_MS = 5 * 60_000;

/** A token that fails verification: its message names the reason, never the token. */
export class TokenInvalid extends Error {}

/** Vault's words when no key vouches for a token, whatever the reason (wrong key, unknown kid, alg). */
const NO_KEY = 'error verifying token signature: no known key successfully validated the token signature';

/** This key cannot vouch for the token; another one may. */
const isKeyMismatch = (err: unknown) =>
  err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSENotSupported || err instanceof errors.JOSEAlgNotAllowed || err instanceof TypeError;

/** The PEM text parsed as a public key (or certificate), or a 400 naming its position. */
export const parsePublicKey = (pem: string, index: number) => parsePem(pem, 'jwt_validation_pubkeys', index);

interface RemoteSet {
  url: string;
  ca: string;
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}

/** A URL as error messages show it: without its query string, which may carry credentials. */
const shownUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return 'the configured URL';
  }
};

async function loadJwks(url: string, ca: string): Promise<JWTVerifyGetKey> {
  const res = await fetchJson(url, { ca });
  if (res.status !== 200) throw new FetchError(`the JWKS at ${shownUrl(url)} answered ${res.status}`);
  const body = res.body as JSONWebKeySet | null;
  if (!body || !Array.isArray(body.keys)) throw new FetchError(`the JWKS at ${shownUrl(url)} has no "keys" list`);
  try {
    return createLocalJWKSet(body);
  } catch {
    throw new FetchError(`the JWKS at ${shownUrl(url)} is malformed`);
  }
}

export interface ProviderMetadata {
  issuer: string;
  jwksUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** The discovery document, after checking its issuer is the discovery URL itself. */
export async function discoverProvider(discoveryUrl: string, ca: string): Promise<ProviderMetadata> {
  const base = discoveryUrl.replace(/\/+$/, '');
  const res = await fetchJson(`${base}/.well-known/openid-configuration`, { ca });
  if (res.status !== 200) throw new FetchError(`the OIDC discovery document of ${base} answered ${res.status}`);
  const doc = (res.body ?? {}) as Record<string, unknown>;
  if (typeof doc.issuer !== 'string' || doc.issuer.replace(/\/+$/, '') !== base) {
    throw new FetchError(`the OIDC discovery document names issuer ${JSON.stringify(doc.issuer)?.slice(0, 200)}, not ${base}`);
  }
  if (typeof doc.jwks_uri !== 'string') throw new FetchError('the OIDC discovery document has no jwks_uri');
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { issuer: doc.issuer, jwksUri: doc.jwks_uri, authorizationEndpoint: text(doc.authorization_endpoint), tokenEndpoint: text(doc.token_endpoint) };
}

/**
 * Verifies against a key set. When several keys fit the token (no kid, same key type), jose
 * hands back each candidate: the first that verifies wins.
 */
async function verifyWithSet(jwt: string, keys: JWTVerifyGetKey, algorithms: string[]): Promise<Uint8Array> {
  try {
    return (await compactVerify(jwt, keys, { algorithms })).payload;
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    for await (const key of err as unknown as AsyncIterable<Parameters<typeof compactVerify>[1]>) {
      try {
        return (await compactVerify(jwt, key, { algorithms })).payload;
      } catch (inner) {
        if (!isKeyMismatch(inner)) throw inner;
      }
    }
    throw new TokenInvalid(NO_KEY);
  }
}

/** One mount's cached remote key set (memory only; forgotten on seal or config change). */
export class KeyCache {
  private remote?: RemoteSet;
  /** A fetch under way: concurrent logins wait for it rather than fetching again. */
  private pending?: Promise<RemoteSet>;
  private readonly pems = new PemKeyCache('jwt_validation_pubkeys');
  /** The provider's discovery document, for the OIDC flow (whose auth_url anyone may call). */
  private provider?: { url: string; meta: ProviderMetadata; fetchedAt: number };

  forget(): void {
    this.remote = undefined;
    this.pending = undefined;
    this.provider = undefined;
    this.pems.forget();
  }

  /** The discovery document, fetched at most once per PROVIDER_TTL_MS. */
  async providerMetadata(config: JwtConfig, now: number): Promise<ProviderMetadata> {
    const cached = this.provider;
    if (cached && cached.url === config.oidcDiscoveryUrl && now - cached.fetchedAt < PROVIDER_TTL_MS) return cached.meta;
    const meta = await discoverProvider(config.oidcDiscoveryUrl, config.oidcDiscoveryCaPem);
    this.provider = { url: config.oidcDiscoveryUrl, meta, fetchedAt: now };
    return meta;
  }

  /** Fetches the configured remote keys now: a config write checks they can be had. */
  async load(config: JwtConfig, now: number): Promise<void> {
    this.forget();
    if (config.jwksUrl === '' && config.oidcDiscoveryUrl === '') return;
    await this.fetch(config, now);
  }

  private fetch(config: JwtConfig, now: number): Promise<RemoteSet> {
    if (this.pending) return this.pending;
    const pending = this.fetchNow(config, now).then(
      (set) => {
        // A config write or a seal meanwhile makes this answer stale: keep it only if still wanted.
        if (this.pending === pending) [this.remote, this.pending] = [set, undefined];
        return set;
      },
      (err: unknown) => {
        if (this.pending === pending) this.pending = undefined;
        throw err;
      },
    );
    this.pending = pending;
    return pending;
  }

  private async fetchNow(config: JwtConfig, now: number): Promise<RemoteSet> {
    const [url, ca] = config.jwksUrl !== ''
      ? [config.jwksUrl, config.jwksCaPem]
      : [(await discoverProvider(config.oidcDiscoveryUrl, config.oidcDiscoveryCaPem)).jwksUri, config.oidcDiscoveryCaPem];
    return { url, ca, keys: await loadJwks(url, ca), fetchedAt: now };
  }

  /** The verified payload bytes, or TokenInvalid naming why. */
  async verify(jwt: string, config: JwtConfig, now: number): Promise<Uint8Array> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(jwt).alg;
    } catch {
      throw new TokenInvalid('the JWT is malformed');
    }
    const payload = await this.verifySignature(jwt, alg, config, now);
    const allowed = config.jwtSupportedAlgs.length > 0 ? config.jwtSupportedAlgs : ASYMMETRIC_ALGS;
    if (typeof alg !== 'string' || !allowed.includes(alg)) {
      throw new TokenInvalid(`invalid algorithm (alg) header parameter: token signed with unexpected algorithm ${JSON.stringify(alg).slice(0, 40)} (allowed: ${allowed.join(', ')})`);
    }
    return payload;
  }

  private async verifySignature(jwt: string, alg: unknown, config: JwtConfig, now: number): Promise<Uint8Array> {
    // No key verifies a symmetric or unsigned token: say so without asking the JWKS again.
    if (typeof alg !== 'string' || !ASYMMETRIC_ALGS.includes(alg)) throw new TokenInvalid(NO_KEY);
    const algorithms = ASYMMETRIC_ALGS;
    if (config.jwtValidationPubkeys.length > 0) {
      for (const key of this.pems.keys(config.jwtValidationPubkeys)) {
        try {
          return (await compactVerify(jwt, key, { algorithms })).payload;
        } catch (err) {
          if (!isKeyMismatch(err)) throw mapJoseError(err);
        }
      }
      throw new TokenInvalid(NO_KEY);
    }
    let remote = this.remote ?? (await this.fetchOrFail(config, now));
    try {
      return await verifyWithSet(jwt, remote.keys, algorithms);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || now - remote.fetchedAt < REFETCH_MS) throw mapJoseError(err);
    }
    remote = await this.fetchOrFail(config, now);
    try {
      return await verifyWithSet(jwt, remote.keys, algorithms);
    } catch (err) {
      throw mapJoseError(err);
    }
  }

  private async fetchOrFail(config: JwtConfig, now: number): Promise<RemoteSet> {
    try {
      return await this.fetch(config, now);
    } catch (err) {
      if (err instanceof FetchError) throw new TokenInvalid(`could not fetch the signing keys: ${err.message}`);
      throw err;
    }
  }
}

function mapJoseError(err: unknown): Error {
  if (err instanceof TokenInvalid || err instanceof FetchError) return err;
  if (err instanceof errors.JWKSNoMatchingKey || isKeyMismatch(err)) return new TokenInvalid(NO_KEY);
  if (err instanceof errors.JWSInvalid) return new TokenInvalid('the JWT is malformed');
  if (err instanceof errors.JOSEError) return new TokenInvalid('the JWT could not be verified');
  return err instanceof Error ? err : new Error(String(err));
}
