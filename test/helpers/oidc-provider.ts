/**
 * A test OIDC provider on a free loopback port: real keys generated with jose, a discovery
 * document at /.well-known/openid-configuration, the JWKS at /keys, and the authorization-code
 * flow (/auth approves at once and redirects with a code; /token checks the client's
 * credentials and the code, and answers an ID token with the nonce). It mints signed JWTs for
 * tests, can rotate in a new key, and counts JWKS fetches.
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

export const CLIENT_ID = 'coffer';
export const CLIENT_SECRET = 'very-secret';

export interface OidcProvider {
  issuer: string;
  /** Claims of the user /auth logs in next; `idTokenOverrides` replace claims of the ID token (tests of bad tokens). */
  user: JWTPayload;
  idTokenOverrides: JWTPayload;
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
  const codes = new Map<string, { nonce: string; redirectUri: string; user: JWTPayload }>();
  let nextCode = 0;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', provider.issuer);
    if (url.pathname === '/auth') {
      const q = url.searchParams;
      if (q.get('client_id') !== CLIENT_ID || q.get('response_type') !== 'code' || !q.get('scope')?.split(' ').includes('openid')) return send(400, { error: 'invalid_request' });
      const code = `code-${++nextCode}`;
      codes.set(code, { nonce: q.get('nonce') ?? '', redirectUri: q.get('redirect_uri') ?? '', user: provider.user });
      const back = new URL(q.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
        if (req.headers.authorization !== basic) return send(401, { error: 'invalid_client' });
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (form.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== form.get('redirect_uri')) return send(400, { error: 'invalid_grant' });
        const idToken = await sign(first, { iss: provider.issuer, aud: CLIENT_ID, nonce: grant.nonce, ...grant.user, ...provider.idTokenOverrides });
        send(200, { access_token: 'opaque-access', token_type: 'Bearer', expires_in: 300, id_token: idToken });
      });
      return;
    }
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
    user: { sub: 'alice', email: 'alice@example.com' },
    idTokenOverrides: {},
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
