/**
 * The OIDC authorization-code flow over HTTP against a real server and the harness's OIDC
 * provider: oidc/auth_url, the provider's redirect with a code, oidc/callback — and the
 * refusals: redirect URIs not allowed, replayed or unknown state, a wrong client nonce, an
 * ID token with the wrong nonce or audience, users outside the role's bound claims.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { assertAuthBlock, enable, expectError, expectStatus, type Auth, type Body } from './helpers.js';

const REDIRECT = 'http://localhost:8250/oidc/callback';

/** What a browser does with the auth URL: follow it to the provider and read where it sends us back. */
function followToRedirect(authUrl: string): Promise<URL> {
  return new Promise((resolve, reject) => {
    http.get(authUrl, (res) => {
      res.resume();
      if (res.statusCode !== 302 || !res.headers.location) return reject(new Error(`provider answered ${res.statusCode}`));
      resolve(new URL(res.headers.location));
    }).on('error', reject);
  });
}

describe('jwt auth method: the OIDC browser flow', () => {
  let t: TestServer;
  let idp: OidcProvider;

  before(async () => {
    t = await startDevServer();
    idp = await startOidcProvider();
    await enable(t.root, 'oidc', 'oidc');
    await expectStatus(t.root.raw('POST', 'auth/oidc/config', { oidc_discovery_url: idp.issuer, oidc_client_id: CLIENT_ID, oidc_client_secret: CLIENT_SECRET, default_role: 'people' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/oidc/role/people', {
      role_type: 'oidc', user_claim: 'email', allowed_redirect_uris: [REDIRECT], bound_claims: { email: '*@example.com' }, bound_claims_type: 'glob',
      claim_mappings: { name: 'full_name' }, oidc_scopes: 'email,profile', token_policies: 'people',
    }), 204);
  });
  after(async () => {
    await t.close();
    await idp.close();
  });

  const authUrl = async (body: Record<string, unknown> = {}) => {
    const b = await expectStatus(t.anon.raw<Body>('POST', 'auth/oidc/oidc/auth_url', { redirect_uri: REDIRECT, ...body }), 200, 'auth_url');
    return new URL(b.data!.auth_url as string);
  };
  const callback = (query: Record<string, string>) => t.anon.raw<Body>('GET', `auth/oidc/oidc/callback?${new URLSearchParams(query)}`);

  it('logs in: auth_url with state and nonce, the provider\u2019s code, the callback answers a token', async () => {
    idp.user = { sub: 'u-1', email: 'alice@example.com', name: 'Alice Liddell' };
    const url = await authUrl({ client_nonce: 'cn-1' });
    assert.equal(url.origin + url.pathname, `${idp.issuer}/auth`);
    assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(url.searchParams.get('redirect_uri'), REDIRECT);
    assert.equal(url.searchParams.get('scope'), 'openid email profile');
    assert.match(url.searchParams.get('state')!, /^[0-9a-f]{40}$/);
    assert.match(url.searchParams.get('nonce')!, /^[0-9a-f]{40}$/);
    const back = await followToRedirect(url.toString());
    assert.equal(back.origin + back.pathname, REDIRECT);
    const res = await callback({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, client_nonce: 'cn-1' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const auth = res.body!.auth as Auth;
    assertAuthBlock(auth);
    assert.deepEqual(auth.token_policies, ['default', 'people']);
    assert.deepEqual(auth.metadata, { full_name: 'Alice Liddell', role: 'people' });
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'oidc-alice@example.com');
    // The state is spent: replaying the callback fails.
    await expectError(callback({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, client_nonce: 'cn-1' }), 400, /expired or missing OAuth state/);
  });

  it('refuses redirect URIs the role does not allow, jwt roles, and logins with no config', async () => {
    await expectError(t.anon.raw('POST', 'auth/oidc/oidc/auth_url', { redirect_uri: 'https://evil.example/cb' }), 400, /unauthorized redirect_uri/);
    await expectError(t.anon.raw('POST', 'auth/oidc/oidc/auth_url', {}), 400, /missing redirect_uri/);
    await expectStatus(t.root.raw('POST', 'auth/oidc/role/machines', { user_claim: 'sub', bound_subject: 'x' }), 204);
    await expectError(t.anon.raw('POST', 'auth/oidc/oidc/auth_url', { role: 'machines', redirect_uri: REDIRECT }), 400, /role_type "jwt"/);
    await expectError(t.anon.raw('POST', 'auth/oidc/login', { role: 'people', jwt: await idp.mint({ sub: 'x' }) }), 400, /role_type "oidc"/);
    await enable(t.root, 'bare', 'jwt');
    await expectError(t.anon.raw('POST', 'auth/bare/oidc/auth_url', { role: 'x', redirect_uri: REDIRECT }), 400, /OIDC login is not configured/);
  });

  it('refuses an unknown state, a wrong client nonce, a provider error, and a code the provider does not know', async () => {
    await expectError(callback({ state: 'f'.repeat(40), code: 'x' }), 400, /expired or missing OAuth state/);
    const url = await authUrl({ client_nonce: 'mine' });
    const back = await followToRedirect(url.toString());
    await expectError(callback({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, client_nonce: 'theirs' }), 400, /invalid client_nonce/);
    const url2 = await authUrl();
    await expectError(callback({ state: url2.searchParams.get('state')!, error: 'access_denied', error_description: 'the user said no' }), 400, /refused the login: access_denied: the user said no/);
    const url3 = await authUrl();
    await expectError(callback({ state: url3.searchParams.get('state')!, code: 'code-never-issued' }), 400, /error exchanging the authorization code: the provider answered 400/);
  });

  it('refuses ID tokens with the wrong nonce or audience, and users outside the bound claims', async () => {
    const attemptWith = async (overrides: Record<string, unknown>, user: Record<string, unknown> = { sub: 'u-2', email: 'bob@example.com' }) => {
      idp.user = user;
      idp.idTokenOverrides = overrides;
      try {
        const back = await followToRedirect((await authUrl()).toString());
        return await callback({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')! });
      } finally {
        idp.idTokenOverrides = {};
      }
    };
    await expectError(attemptWith({ nonce: 'replayed-nonce' }), 400, /nonce does not match/);
    await expectError(attemptWith({ aud: 'another-client' }), 400, /"aud" does not include the client id/);
    await expectError(attemptWith({ exp: Math.floor(Date.now() / 1000) - 3600 }), 400, /expired/);
    await expectError(attemptWith({}, { sub: 'u-3', email: 'mallory@evil.example' }), 400, /claim "email" does not match/);
    assert.equal((await attemptWith({})).status, 200);
  });
});
