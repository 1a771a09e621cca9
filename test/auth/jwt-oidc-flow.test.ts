/**
 * The OIDC authorization-code flow over HTTP against a real server and the harness's OIDC
 * provider: oidc/auth_url, the provider's redirect with a code, oidc/callback — and the
 * refusals: redirect URIs not allowed, replayed or unknown state, a wrong client nonce, an
 * ID token with the wrong nonce or audience, users outside the role's bound claims. Both
 * paths need no token: oversized fields are refused, and no number of anonymous auth_url
 * calls keeps a real user from logging in.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { parseResponses, rawExchange } from '../helpers/raw-http.js';
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
    assert.match(url.searchParams.get('state')!, /^[A-Za-z0-9_-]{100,1024}$/);
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

  it('refuses oversized fields with a 400 naming the field and its limit', async () => {
    const tooLong = async (path: string, body: Record<string, unknown>, field: string, limit: number) => {
      const res = await expectStatus(t.anon.raw<Body>('POST', `auth/oidc/oidc/${path}`, body), 400, field);
      assert.deepEqual(res.errors, [`invalid value for "${field}": must be at most ${limit} characters`]);
    };
    await tooLong('auth_url', { redirect_uri: REDIRECT, client_nonce: 'n'.repeat(8 << 20) }, 'client_nonce', 512);
    await tooLong('auth_url', { redirect_uri: `${REDIRECT}?${'a'.repeat(2048)}` }, 'redirect_uri', 2048);
    await tooLong('callback', { state: 's'.repeat(1025), code: 'x' }, 'state', 1024);
    await tooLong('callback', { state: 's', code: 'c'.repeat(4097) }, 'code', 4096);
    await tooLong('callback', { state: 's', code: 'x', client_nonce: 'n'.repeat(513) }, 'client_nonce', 512);
    // At the limit, accepted: a client nonce of 512 characters logs in.
    idp.user = { sub: 'u-5', email: 'erin@example.com' };
    const nonce = 'n'.repeat(512);
    const back = await followToRedirect((await authUrl({ client_nonce: nonce })).toString());
    await expectStatus(callback({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, client_nonce: nonce }), 200);
  });

  it('keeps nothing per auth_url: after 20,000 anonymous calls a real user still logs in', async () => {
    // Pipelined on four connections: the flood takes seconds, not the minute fetch would.
    const body = JSON.stringify({ redirect_uri: REDIRECT, client_nonce: 'n'.repeat(512) });
    const request = `POST /v1/auth/oidc/oidc/auth_url HTTP/1.1\r\nHost: ${new URL(t.address).host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const floods = await Promise.all(Array.from({ length: 4 }, () => rawExchange(t.address, [request.repeat(5_000)], { timeoutMs: 100_000 })));
    const statuses = floods.flatMap((f) => parseResponses(f.data).responses.map((r) => r.status));
    assert.equal(statuses.length, 20_000);
    assert.deepEqual([...new Set(statuses)], [200], 'every auth_url answered 200');
    idp.user = { sub: 'u-6', email: 'frank@example.com' };
    const back = await followToRedirect((await authUrl()).toString());
    const res = await callback({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')! });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('logs in once per state: a replay is refused even with a fresh code for the same login', async () => {
    idp.user = { sub: 'u-7', email: 'grace@example.com' };
    const url = (await authUrl({ client_nonce: 'cn-7' })).toString();
    // The provider gives a second code for the same authorization request (same state and nonce).
    const [first, second] = [await followToRedirect(url), await followToRedirect(url)];
    assert.equal(first.searchParams.get('state'), second.searchParams.get('state'));
    assert.notEqual(first.searchParams.get('code'), second.searchParams.get('code'));
    await expectStatus(callback({ state: first.searchParams.get('state')!, code: first.searchParams.get('code')!, client_nonce: 'cn-7' }), 200);
    await expectError(callback({ state: second.searchParams.get('state')!, code: second.searchParams.get('code')!, client_nonce: 'cn-7' }), 400, /expired or missing OAuth state/);
  });

  it('refuses a tampered state, another mount\u2019s state, and a state from before a seal', async () => {
    idp.user = { sub: 'u-8', email: 'heidi@example.com' };
    const back = await followToRedirect((await authUrl()).toString());
    const state = back.searchParams.get('state')!;
    const code = back.searchParams.get('code')!;
    const tampered = `${state.slice(0, 30)}${state[30] === 'A' ? 'B' : 'A'}${state.slice(31)}`;
    await expectError(callback({ state: tampered, code }), 400, /expired or missing OAuth state/);
    await enable(t.root, 'oidc2', 'oidc');
    await expectStatus(t.root.raw('POST', 'auth/oidc2/config', { oidc_discovery_url: idp.issuer, oidc_client_id: CLIENT_ID, oidc_client_secret: CLIENT_SECRET, default_role: 'people' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/oidc2/role/people', { role_type: 'oidc', user_claim: 'email', allowed_redirect_uris: [REDIRECT] }), 204);
    await expectError(t.anon.raw<Body>('GET', `auth/oidc2/oidc/callback?${new URLSearchParams({ state, code })}`), 400, /expired or missing OAuth state/);
    await expectStatus(t.root.raw('PUT', 'sys/seal'), 204);
    await expectStatus(t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey }), 200);
    await expectError(callback({ state, code }), 400, /expired or missing OAuth state/);
    // After the unseal, logins work again with fresh states.
    const again = await followToRedirect((await authUrl()).toString());
    await expectStatus(callback({ state: again.searchParams.get('state')!, code: again.searchParams.get('code')! }), 200);
  });
});
