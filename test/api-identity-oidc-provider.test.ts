/**
 * The OIDC provider over HTTP against a real server, driven by openid-client (v6) as a
 * relying party would: discovery, the authorization URL, authorize with a Coffer token,
 * the code grant (PKCE; confidential and public clients), userinfo. Then the OAuth errors
 * for bad requests, and a second Coffer server whose jwt auth method trusts the first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidcClient from 'openid-client';
import type { HttpMethod } from '../src/api/client.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { enable, expectError, expectStatus, login, type Body } from './auth/helpers.js';

type Data = Record<string, unknown>;
const REDIRECT = 'http://127.0.0.1:8251/callback';
const SPA_REDIRECT = 'http://localhost:3000/cb';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OIDC provider', () => {
  let t: TestServer;
  let alice: string;
  let bob: string;
  let aliceId: string;
  let web: { client_id: string; client_secret: string };
  let spa: { client_id: string };
  let issuer: string;
  const ok = async (method: HttpMethod, path: string, body?: Data, status = 204): Promise<Body> => expectStatus(t.root.raw<Body>(method, path, body), status, `${method} ${path}`);

  /** What the user agent does with the authorization URL: the Coffer UI calls authorize with the user's token. */
  async function authorize(token: string, url: URL, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; body: Data }> {
    const params = Object.fromEntries(url.searchParams);
    const path = '/v1/identity/oidc/provider/my/authorize';
    const res =
      method === 'GET'
        ? await fetch(`${t.address}${path}?${url.searchParams}`, { headers: { 'x-vault-token': token } })
        : await fetch(`${t.address}${path}`, { method: 'POST', headers: { 'x-vault-token': token }, body: JSON.stringify(params) });
    return { status: res.status, body: (await res.json()) as Data };
  }

  const discover = (clientId: string, auth: oidcClient.ClientAuth) => oidcClient.discovery(new URL(issuer), clientId, undefined, auth, { execute: [oidcClient.allowInsecureRequests] });

  async function startFlow(config: oidcClient.Configuration, redirect: string, extra: Record<string, string> = {}) {
    const verifier = oidcClient.randomPKCECodeVerifier();
    const state = oidcClient.randomState();
    const nonce = oidcClient.randomNonce();
    const url = oidcClient.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'openid profile',
      code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { verifier, state, nonce, url };
  }

  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'userpass', 'userpass');
    // The authorize endpoint is granted by the default policy, as in Vault; this one adds only an identity token role.
    await ok('PUT', 'sys/policies/acl/oidc-login', { policy: 'path "identity/oidc/token/to-b" { capabilities = ["read"] }' });
    for (const u of ['alice', 'bob']) await ok('POST', `auth/userpass/users/${u}`, { password: `pw-${u}`, token_policies: 'oidc-login' });
    const a = await login(t.anon, 'auth/userpass/login/alice', { password: 'pw-alice' });
    alice = a.client_token;
    aliceId = a.entity_id;
    bob = (await login(t.anon, 'auth/userpass/login/bob', { password: 'pw-bob' })).client_token;
    await ok('POST', `identity/entity/id/${aliceId}`, { name: 'alice', metadata: { team: 'blue' } });
    await ok('POST', 'identity/group', { name: 'engineers', member_entity_ids: [aliceId] }, 200);

    await ok('POST', 'identity/oidc/scope/profile', { template: '{"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}, "team": {{identity.entity.metadata.team}}}', description: 'who' });
    await ok('POST', 'identity/oidc/key/pk', { algorithm: 'ES256', allowed_client_ids: '*' });
    await ok('POST', 'identity/oidc/assignment/people', { entity_ids: [aliceId] });
    await ok('POST', 'identity/oidc/client/web', { key: 'pk', redirect_uris: [REDIRECT], assignments: ['people'], id_token_ttl: '30m', access_token_ttl: '10m' });
    await ok('POST', 'identity/oidc/client/spa', { key: 'pk', redirect_uris: [SPA_REDIRECT], assignments: ['people'], client_type: 'public' });
    web = (await ok('GET', 'identity/oidc/client/web', undefined, 200)).data as typeof web;
    spa = (await ok('GET', 'identity/oidc/client/spa', undefined, 200)).data as typeof spa;
    await ok('POST', 'identity/oidc/provider/my', { allowed_client_ids: [web.client_id, spa.client_id], scopes_supported: 'profile' });
    issuer = ((await ok('GET', 'identity/oidc/provider/my', undefined, 200)).data as Data).issuer as string;
  });
  after(() => t.close());

  it('has Vault’s built-in default key, provider and allow_all assignment, and answers clients with generated credentials', async () => {
    assert.equal(issuer, `${t.address}/v1/identity/oidc/provider/my`);
    const providers = (await ok('LIST', 'identity/oidc/provider', undefined, 200)).data as { keys: string[]; key_info: Record<string, Data> };
    assert.deepEqual(providers.keys, ['default', 'my']);
    assert.equal(providers.key_info.default!.issuer, `${t.address}/v1/identity/oidc/provider/default`);
    assert.deepEqual((await ok('GET', 'identity/oidc/assignment/allow_all', undefined, 200)).data, { entity_ids: ['*'], group_ids: ['*'] });
    assert.deepEqual(((await ok('LIST', 'identity/oidc/assignment', undefined, 200)).data as Data).keys, ['allow_all', 'people']);
    assert.equal(((await ok('GET', 'identity/oidc/key/default', undefined, 200)).data as Data).algorithm, 'RS256');
    assert.match(web.client_id, /^[A-Za-z0-9]{32}$/);
    assert.match(web.client_secret, /^hvo_secret_[A-Za-z0-9]{64}$/);
    assert.ok(!('client_secret' in spa), 'a public client has no secret');
    const clients = (await ok('LIST', 'identity/oidc/client', undefined, 200)).data as { keys: string[]; key_info: Record<string, Data> };
    assert.deepEqual(clients.keys, ['spa', 'web']);
    assert.equal(clients.key_info.web!.client_type, 'confidential');
    assert.deepEqual(((await ok('LIST', 'identity/oidc/scope', undefined, 200)).data as Data).keys, ['profile']);
    const filtered = (await t.root.raw('GET', `identity/oidc/provider?list=true&allowed_client_id=${spa.client_id}`)).body!.data as { keys: string[] };
    assert.deepEqual(filtered.keys, ['default', 'my']);
    await expectError(t.root.raw('POST', 'identity/oidc/assignment/allow_all', { entity_ids: [aliceId] }), 400, /not allowed/);
    await expectError(t.root.raw('POST', 'identity/oidc/client/web', { key: 'default' }), 400, /key modification is not allowed/);
    await expectError(t.root.raw('POST', 'identity/oidc/client/web', { client_type: 'public' }), 400, /client_type modification/);
    await expectError(t.root.raw('POST', 'identity/oidc/scope/openid', { template: '{}' }), 400, /reserved/);
    await expectError(t.root.raw('POST', 'identity/oidc/scope/bad', { template: '{"nonce": "x"}' }), 400, /top level key "nonce" not allowed/);
    await expectError(t.root.raw('POST', 'identity/oidc/provider/bad', { scopes_supported: 'nope' }), 400, /scope "nope" does not exist/);
    await expectError(t.root.raw('POST', 'identity/oidc/client/bad', { assignments: 'nope' }), 400, /assignment "nope" does not exist/);
    await expectError(t.root.raw('POST', 'identity/oidc/assignment/bad', { entity_ids: 'nope' }), 400, /entity "nope" does not exist/);
    await expectError(t.root.raw('DELETE', 'identity/oidc/scope/profile'), 400, /referenced by these providers: my/);
    assert.equal((await t.root.raw('GET', 'identity/oidc/client/bad')).status, 404);
    await expectError(t.root.raw('DELETE', 'identity/oidc/key/pk'), 400, /referenced by these clients: spa, web/);
    await ok('POST', 'identity/oidc/provider/ext', { issuer: 'https://sso.example.com:8200' });
    assert.equal(((await ok('GET', 'identity/oidc/provider/ext', undefined, 200)).data as Data).issuer, 'https://sso.example.com:8200/v1/identity/oidc/provider/ext');
    await expectError(t.root.raw('POST', 'identity/oidc/provider/ext2', { issuer: 'https://sso.example.com/some/path' }), 400, /only scheme:\/\/host:port/);
    await ok('DELETE', 'identity/oidc/provider/ext');
  });

  it('runs the authorization-code flow with PKCE for a confidential client through openid-client, then userinfo', async () => {
    const config = await discover(web.client_id, oidcClient.ClientSecretBasic(web.client_secret));
    assert.equal(config.serverMetadata().issuer, issuer);
    const { verifier, state, nonce, url } = await startFlow(config, REDIRECT);
    assert.equal(`${url.origin}${url.pathname}`, `${t.address}/ui/vault/identity/oidc/provider/my/authorize`);
    const answer = await authorize(alice, url);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.state, state);
    const callback = new URL(`${REDIRECT}?code=${answer.body.code}&state=${state}`);
    const tokens = await oidcClient.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.expires_in, 600);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, aliceId);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, web.client_id);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.exp - claims.iat, 1800);
    assert.equal(claims.username, 'alice');
    assert.deepEqual(claims.groups, ['engineers']);
    assert.equal(claims.team, 'blue');
    const { protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${issuer}/.well-known/keys`)), { issuer, audience: web.client_id });
    assert.equal(protectedHeader.alg, 'ES256');

    const info = await oidcClient.fetchUserInfo(config, tokens.access_token, aliceId);
    assert.deepEqual({ ...info }, { sub: aliceId, username: 'alice', groups: ['engineers'], team: 'blue' });

    // client_secret_post, answered the same.
    const post = await discover(web.client_id, oidcClient.ClientSecretPost(web.client_secret));
    const second = await startFlow(post, REDIRECT);
    const code2 = (await authorize(alice, second.url, 'POST')).body.code as string;
    const t2 = await oidcClient.authorizationCodeGrant(post, new URL(`${REDIRECT}?code=${code2}&state=${second.state}`), { pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce });
    assert.equal(t2.claims()!.sub, aliceId);
  });

  it('keeps the client secret, code, verifier and tokens out of the audit log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-audit-'));
    const log = join(dir, 'audit.log');
    try {
      await ok('PUT', 'sys/audit/oidcfile', { type: 'file', options: { file_path: log } });
      const config = await discover(web.client_id, oidcClient.ClientSecretPost(web.client_secret));
      const flow = await startFlow(config, REDIRECT);
      const code = (await authorize(alice, flow.url)).body.code as string;
      const tokens = await oidcClient.authorizationCodeGrant(config, new URL(`${REDIRECT}?code=${code}&state=${flow.state}`), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce });
      await oidcClient.fetchUserInfo(config, tokens.access_token, aliceId);
      await ok('DELETE', 'sys/audit/oidcfile');
      const text = readFileSync(log, 'utf8');
      assert.match(text, /oidc\/provider\/my\/token/);
      for (const secret of [web.client_secret, code, flow.verifier, tokens.id_token!, tokens.access_token]) assert.ok(!text.includes(secret), 'a credential reached the audit log');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the flow for a public client, which must use PKCE and has no secret', async () => {
    const config = await discover(spa.client_id, oidcClient.None());
    const { verifier, state, nonce, url } = await startFlow(config, SPA_REDIRECT);
    const answer = await authorize(alice, url, 'POST');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const tokens = await oidcClient.authorizationCodeGrant(config, new URL(`${SPA_REDIRECT}?code=${answer.body.code}&state=${state}`), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(tokens.claims()!.sub, aliceId);
    assert.equal((await oidcClient.fetchUserInfo(config, tokens.access_token, aliceId)).username, 'alice');

    const noPkce = new URL(url);
    noPkce.searchParams.delete('code_challenge');
    noPkce.searchParams.delete('code_challenge_method');
    assert.deepEqual(await authorize(alice, noPkce), { status: 400, body: { error: 'invalid_request', error_description: 'PKCE is required for public clients' } });
  });

  it('answers the OAuth errors Vault answers for bad requests', async () => {
    const config = await discover(web.client_id, oidcClient.ClientSecretBasic(web.client_secret));
    const flow = await startFlow(config, REDIRECT);
    const err = (r: { status: number; body: Data }) => `${r.status} ${r.body.error}`;

    const wrongRedirect = new URL(flow.url);
    wrongRedirect.searchParams.set('redirect_uri', 'http://127.0.0.1:8251/elsewhere');
    assert.equal(err(await authorize(alice, wrongRedirect)), '400 invalid_request');
    const noOpenid = new URL(flow.url);
    noOpenid.searchParams.set('scope', 'profile');
    assert.equal(err(await authorize(alice, noOpenid)), '400 invalid_scope');
    const badType = new URL(flow.url);
    badType.searchParams.set('response_type', 'token');
    assert.equal(err(await authorize(alice, badType)), '400 unsupported_response_type');
    const unknown = new URL(flow.url);
    unknown.searchParams.set('client_id', 'nobody');
    assert.equal(err(await authorize(alice, unknown)), '400 invalid_request');
    assert.equal(err(await authorize(bob, flow.url)), '400 access_denied', 'bob is not in the client’s assignments');
    assert.equal((await authorize(t.rootToken, flow.url)).body.error, 'access_denied', 'a token without an entity');
    assert.equal((await fetch(`${t.address}/v1/identity/oidc/provider/my/authorize?${flow.url.searchParams}`)).status, 403, 'authorize needs a Coffer token');
    await sleep(1100);
    const stale = new URL(flow.url);
    stale.searchParams.set('max_age', '0');
    assert.equal(err(await authorize(alice, stale)), '400 login_required');

    const tokenCall = async (form: Record<string, string>, basic?: string) => {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}) },
        body: new URLSearchParams(form),
      });
      return { status: res.status, body: (await res.json()) as Data };
    };
    const code = (await authorize(alice, flow.url)).body.code as string;
    const grant = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
    const creds = `${web.client_id}:${web.client_secret}`;
    assert.equal(err(await tokenCall(grant, `${web.client_id}:wrong`)), '401 invalid_client');
    assert.equal(err(await tokenCall({ ...grant, client_id: web.client_id, client_secret: 'wrong' })), '401 invalid_client');
    assert.equal(err(await tokenCall({ ...grant, code_verifier: 'x'.repeat(43) }, creds)), '400 invalid_grant', 'a wrong verifier spends the code');
    assert.equal(err(await tokenCall(grant, creds)), '400 invalid_grant', 'the code was spent');

    const code2 = (await authorize(alice, flow.url)).body.code as string;
    assert.equal(err(await tokenCall({ ...grant, code: code2, redirect_uri: 'http://127.0.0.1:8251/other' }, creds)), '400 invalid_grant');
    const code3 = (await authorize(alice, flow.url)).body.code as string;
    const good = await tokenCall({ ...grant, code: code3 }, creds);
    assert.equal(good.status, 200, JSON.stringify(good.body));
    assert.equal(err(await tokenCall({ ...grant, code: code3 }, creds)), '400 invalid_grant', 'a code is good once');
    assert.equal(err(await tokenCall({ ...grant, grant_type: 'password' }, creds)), '400 unsupported_grant_type');

    const userinfo = (token: string) => fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await userinfo(good.body.access_token as string)).status, 200);
    const bad = await userinfo(good.body.id_token as string);
    assert.equal(bad.status, 401, 'an ID token is not an access token');
    assert.match(bad.headers.get('www-authenticate') ?? '', /invalid_token/);
    assert.equal((await userinfo('garbage')).status, 401);
  });

  it('lets a second Coffer server log users in with ID tokens and identity tokens of the first (jwt auth, OIDC discovery)', async () => {
    const b = await startDevServer();
    try {
      await enable(b.root, 'jwt', 'jwt');
      await expectStatus(b.root.raw('POST', 'auth/jwt/config', { oidc_discovery_url: issuer, bound_issuer: issuer }), 204);
      await expectStatus(b.root.raw('POST', 'auth/jwt/role/web', { role_type: 'jwt', user_claim: 'sub', bound_audiences: web.client_id, claim_mappings: { username: 'username' }, token_policies: 'default' }), 204);
      const config = await discover(web.client_id, oidcClient.ClientSecretBasic(web.client_secret));
      const flow = await startFlow(config, REDIRECT);
      const code = (await authorize(alice, flow.url)).body.code as string;
      const tokens = await oidcClient.authorizationCodeGrant(config, new URL(`${REDIRECT}?code=${code}&state=${flow.state}`), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce });
      const auth = await login(b.anon, 'auth/jwt/login', { role: 'web', jwt: tokens.id_token });
      assert.deepEqual(auth.metadata, { role: 'web', username: 'alice' });
      const alias = ((await b.root.raw('GET', `identity/entity/id/${auth.entity_id}`)).body!.data as { aliases: { name: string }[] }).aliases[0]!;
      assert.equal(alias.name, aliceId);
      await expectError(b.anon.raw('POST', 'auth/jwt/login', { role: 'web', jwt: tokens.access_token }), 400, /aud/);

      // Identity tokens: the first server's token issuer as the discovery URL.
      await ok('POST', 'identity/oidc/role/to-b', { key: 'pk', ttl: 300 });
      const idt = (await expectStatus(t.client(alice).raw<Body>('GET', 'identity/oidc/token/to-b'), 200)).data as { token: string; client_id: string };
      await enable(b.root, 'jwt2', 'jwt');
      await expectStatus(b.root.raw('POST', 'auth/jwt2/config', { oidc_discovery_url: `${t.address}/v1/identity/oidc` }), 204);
      await expectStatus(b.root.raw('POST', 'auth/jwt2/role/svc', { role_type: 'jwt', user_claim: 'sub', bound_audiences: idt.client_id, token_policies: 'default' }), 204);
      assert.ok((await login(b.anon, 'auth/jwt2/login', { role: 'svc', jwt: idt.token })).client_token);
      await expectError(b.anon.raw('POST', 'auth/jwt2/login', { role: 'svc', jwt: tokens.id_token }), 400, /.+/);
    } finally {
      await b.close();
    }
  });
});
