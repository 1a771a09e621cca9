/**
 * A test OIDC provider on a free loopback port: real keys generated with jose, a discovery
 * document at /.well-known/openid-configuration and the JWKS at /keys. It mints signed JWTs
 * for tests, can rotate in a new key, and counts JWKS fetches.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
  pem: string;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, jwk, pem: await exportSPKI(publicKey) };
}

/** A JWT signed by `key`, with iat/exp (10 min) filled unless `claims` says otherwise. */
export async function sign(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 600, ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

export interface OidcProvider {
  issuer: string;
  keys: SigningKey[];
  jwksFetches: number;
  /** Serves `key` in the JWKS too (a rotation). */
  publish(key: SigningKey): void;
  mint(claims: JWTPayload, key?: SigningKey): Promise<string>;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<OidcProvider> {
  const first = await makeKey('key-1');
  const state = { keys: [first], jwksFetches: 0 };
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      return send(200, { issuer: provider.issuer, jwks_uri: `${provider.issuer}/keys`, authorization_endpoint: `${provider.issuer}/auth`, token_endpoint: `${provider.issuer}/token`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] });
    }
    if (req.url === '/keys') {
      state.jwksFetches++;
      return send(200, { keys: state.keys.map((k) => k.jwk) });
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider: OidcProvider = {
    issuer,
    get keys() {
      return state.keys;
    },
    get jwksFetches() {
      return state.jwksFetches;
    },
    publish: (key) => void state.keys.push(key),
    mint: (claims, key = first) => sign(key, { iss: issuer, ...claims }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return provider;
}
