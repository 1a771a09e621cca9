/**
 * The jwt/oidc auth method over HTTP against a real server, with a real OIDC provider served
 * by the harness (jose keys, discovery document, JWKS): configuration, roles, logins, and
 * every kind of bad token — each refused with a 4xx that names the problem, and audited.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { AuditDevice, AuditEvent } from '../../src/core/audit/audit-broker.js';
import { isCofferError } from '../../src/errors.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { makeKey, sign, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { assertAuthBlock, enable, expectError, expectStatus, login, type Body } from './helpers.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('jwt auth method', () => {
  let t: TestServer;
  let idp: OidcProvider;
  const now = () => Math.floor(Date.now() / 1000);
  const attempt = (body: Record<string, unknown>, path = 'auth/jwt/login') => t.anon.raw<Body>('POST', path, body);

  before(async () => {
    t = await startDevServer();
    idp = await startOidcProvider();
    await enable(t.root, 'jwt', 'jwt');
    await expectStatus(t.root.raw('POST', 'auth/jwt/config', { oidc_discovery_url: idp.issuer, bound_issuer: idp.issuer, oidc_client_id: 'coffer', oidc_client_secret: 'very-secret', default_role: 'ci' }), 204, 'config');
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/ci', {
      role_type: 'jwt',
      bound_audiences: 'coffer',
      user_claim: 'sub',
      bound_claims: { project: ['alpha', 'beta'] },
      claim_mappings: { email: 'email', '/ctx/team': 'team' },
      groups_claim: 'groups',
      token_policies: 'ci,reader',
      token_ttl: '1h',
    }), 204, 'role');
  });
  after(async () => {
    await t.close();
    await idp.close();
  });

  const good = (extra: Record<string, unknown> = {}) =>
    idp.mint({ sub: 'build-42', aud: 'coffer', project: 'alpha', email: 'ci@example.com', ctx: { team: 'infra' }, groups: ['devs', 'ops'], ...extra });

  it('reads back the config without the client secret, and the role with its settings', async () => {
    const config = (await t.root.read('auth/jwt/config'))!.data!;
    assert.equal(config.oidc_discovery_url, idp.issuer);
    assert.equal(config.oidc_client_id, 'coffer');
    assert.ok(!('oidc_client_secret' in config));
    assert.ok(!JSON.stringify(config).includes('very-secret'));
    const role = (await t.root.read('auth/jwt/role/ci'))!.data!;
    assert.deepEqual(role.bound_audiences, ['coffer']);
    assert.deepEqual(role.bound_claims, { project: ['alpha', 'beta'] });
    assert.deepEqual(role.token_policies, ['ci', 'reader']);
    assert.equal(role.token_ttl, 3600);
    assert.equal(role.user_claim, 'sub');
    assert.equal(role.role_type, 'jwt');
  });

  it('logs in with a JWT from the provider: auth block, metadata from claim_mappings, a usable token', async () => {
    const auth = await login(t.anon, 'auth/jwt/login', { role: 'ci', jwt: await good() });
    assertAuthBlock(auth);
    assert.deepEqual(auth.token_policies, ['ci', 'default', 'reader']);
    assert.deepEqual(auth.metadata, { email: 'ci@example.com', team: 'infra', role: 'ci' });
    assert.equal(auth.lease_duration, 3600);
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'jwt-build-42');
    assert.equal(self.path, 'auth/jwt/login');
    // default_role when the login names none
    await login(t.anon, 'auth/jwt/login', { jwt: await good({ project: 'beta' }) });
    await expectStatus(t.client(auth.client_token).raw('POST', 'auth/token/renew-self', {}), 200, 'renew');
    await expectStatus(t.client(auth.client_token).raw('POST', 'auth/token/revoke-self', {}), 204, 'revoke');
  });

  it('lists, updates and deletes roles', async () => {
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/tmp', { user_claim: 'sub', bound_subject: 'x' }), 204);
    const keys = (await expectStatus(t.root.raw<Body>('LIST', 'auth/jwt/role'), 200)).data!.keys;
    assert.deepEqual(keys, ['ci', 'tmp']);
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/tmp', { bound_subject: 'y' }), 204);
    assert.equal((await t.root.read('auth/jwt/role/tmp'))!.data!.bound_subject, 'y');
    await expectStatus(t.root.raw('DELETE', 'auth/jwt/role/tmp'), 204);
    await expectStatus(t.root.raw('GET', 'auth/jwt/role/tmp'), 404);
  });

  it('refuses bad configs and roles with a 400 naming the problem', async () => {
    await enable(t.root, 'jwtbad', 'jwt');
    const cfg = (body: Record<string, unknown>) => t.root.raw<Body>('POST', 'auth/jwtbad/config', body);
    await expectError(cfg({}), 400, /exactly one of/);
    await expectError(cfg({ jwks_url: `${idp.issuer}/keys`, oidc_discovery_url: idp.issuer }), 400, /exactly one of/);
    await expectError(cfg({ jwt_validation_pubkeys: ['not a key'] }), 400, /jwt_validation_pubkeys\[0\] is not a PEM public key/);
    await expectError(cfg({ jwks_url: `${idp.issuer}/keys`, jwt_supported_algs: 'HS256' }), 400, /HS256.*not supported/);
    await expectError(cfg({ jwks_url: 'ftp://x' }), 400, /jwks_url must be an http or https URL/);
    // Node would ignore a CA bundle it cannot parse and then fail every fetch with a certificate error.
    await expectError(cfg({ jwks_url: `${idp.issuer}/keys`, jwks_ca_pem: 'not a certificate' }), 400, /could not parse 'jwks_ca_pem'/);
    await expectError(cfg({ oidc_discovery_url: idp.issuer, oidc_discovery_ca_pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), 400, /could not parse 'oidc_discovery_ca_pem'/);
    await expectError(cfg({ oidc_discovery_url: 'http://127.0.0.1:1' }), 400, /error checking the key source: could not reach/);
    await expectError(cfg({ oidc_discovery_url: `${idp.issuer}/other` }), 400, /error checking the key source/);
    const role = (body: Record<string, unknown>) => t.root.raw<Body>('POST', 'auth/jwt/role/bad', body);
    await expectError(role({ bound_audiences: 'x' }), 400, /user_claim/);
    await expectError(role({ user_claim: 'sub' }), 400, /at least one bound constraint/);
    await expectError(role({ user_claim: 'sub', bound_subject: 'x', role_type: 'saml' }), 400, /invalid role_type/);
    await expectError(role({ user_claim: 'sub', bound_subject: 'x', bound_claims_type: 'regex' }), 400, /invalid bound_claims_type/);
    await expectError(role({ user_claim: 'sub', bound_claims: { a: { nested: 1 } } }), 400, /bound_claims/);
    await expectError(role({ user_claim: 'sub', role_type: 'oidc' }), 400, /allowed_redirect_uris/);
    await expectError(role({ user_claim: 'sub', bound_subject: 'x', claim_mappings: { a: 'role' } }), 400, /reserved/);
    await expectError(role({ user_claim: 'sub', bound_subject: 'x', token_policies: 'root' }), 400, /root/);
    await expectError(role({ user_claim: 'sub', bound_subject: 'x', clock_skew_leeway: -5 }), 400, /clock_skew_leeway/);
    await expectError(attempt({ role: 'ci' }), 400, /missing jwt/);
    await expectError(attempt({ role: 'nope', jwt: await good() }), 400, /role "nope" could not be found/);
    await expectError(attempt({ role: 'x', jwt: 'a.b.c' }, 'auth/jwtbad/login'), 400, /not configured/);
  });

  it('refuses bad JWTs with 400 "error validating token", never echoing the token, and audits each', async () => {
    const other = await makeKey('key-1'); // same kid, different key: a forged signature
    const unknown = await makeKey('key-unpublished');
    const pem = idp.keys[0]!.pem;
    const cases: Array<[string, Promise<string> | string, RegExp]> = [
      ['expired', good({ exp: now() - 3600, iat: now() - 7200 }), /expired/],
      ['not yet valid', good({ nbf: now() + 3600 }), /not valid yet/],
      ['issued in the future', good({ iat: now() + 3600 }), /not valid yet|issued in the future/],
      ['no exp', sign(idp.keys[0]!, { iss: idp.issuer, sub: 'build-42', aud: 'coffer', project: 'alpha', exp: undefined }), /no "exp"/],
      ['wrongly signed', sign(other, { iss: idp.issuer, sub: 'build-42', aud: 'coffer', project: 'alpha' }), /error verifying token signature: no known key successfully validated the token signature/],
      ['unknown kid', sign(unknown, { iss: idp.issuer, sub: 'build-42', aud: 'coffer', project: 'alpha' }), /error verifying token signature: no known key successfully validated the token signature/],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: idp.issuer, sub: 'build-42', aud: 'coffer', project: 'alpha', exp: now() + 60 })}.`, /error verifying token signature: no known key successfully validated the token signature/],
      ['HS256 with the public key as secret', new SignJWT({ iss: idp.issuer, sub: 'build-42', aud: 'coffer', project: 'alpha', exp: now() + 60 }).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).sign(new TextEncoder().encode(pem)), /error verifying token signature: no known key successfully validated the token signature/],
      ['wrong audience', good({ aud: 'someone-else' }), /"aud" claim does not match/],
      ['wrong issuer', good({ iss: 'https://evil.example' }), /"iss" claim does not match bound_issuer/],
      ['bound claim value', good({ project: 'gamma' }), /claim "project" does not match/],
      ['bound claim missing', good({ project: undefined }), /lacks the bound claim "project"/],
      ['user claim missing', good({ sub: undefined }), /user_claim "sub"/],
      ['groups not strings', good({ groups: [1, 2] }), /groups_claim/],
      ['garbage', 'not-a-jwt', /malformed/],
    ];
    const events: AuditEvent[] = [];
    const device: AuditDevice = { path: 'capture-jwt/', logRequest: async (e) => void events.push(e), logResponse: async (e) => void events.push(e) };
    t.server.core.audit.register(device);
    try {
      for (const [what, token, pattern] of cases) {
        const jwt = await token;
        const res = await attempt({ role: 'ci', jwt });
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
        const message = res.body!.errors!.join(' ');
        assert.match(message, /^error validating token: /, what);
        assert.match(message, pattern, what);
        assert.ok(!message.includes(jwt.split('.')[1] || jwt), `${what}: the token is echoed`);
      }
    } finally {
      t.server.core.audit.unregister(device.path);
    }
    const logged = events.filter((e) => e.request.path === 'auth/jwt/login');
    assert.equal(logged.length, 2 * cases.length, 'each refused login is audited, request and response');
    const failures = logged.filter((_, i) => i % 2 === 1);
    assert.ok(failures.every((e) => isCofferError(e.error) && e.error.status === 400));
  });

  it('requires bound audiences when the token has one, and checks bound_subject', async () => {
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/subj', { user_claim: 'sub', bound_subject: 'build-42' }), 204);
    await expectError(attempt({ role: 'subj', jwt: await good() }), 400, /has an "aud" claim but the role has no bound_audiences/);
    await login(t.anon, 'auth/jwt/login', { role: 'subj', jwt: await good({ aud: undefined }) });
    await expectError(attempt({ role: 'subj', jwt: await good({ aud: undefined, sub: 'other' }) }), 400, /"sub" claim does not match bound_subject/);
  });

  it('matches glob bound claims against list-valued claims, and honours leeways', async () => {
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/glob', {
      user_claim: '/ctx/team', user_claim_json_pointer: true, bound_audiences: ['coffer', 'other'], bound_claims_type: 'glob',
      bound_claims: { '/ctx/repo': 'org/*-service', groups: ['*admins'] }, expiration_leeway: -1, clock_skew_leeway: -1,
    }), 204);
    const ok = await login(t.anon, 'auth/jwt/login', { role: 'glob', jwt: await good({ ctx: { team: 'infra', repo: 'org/pay-service' }, groups: ['devs', 'db-admins'] }) });
    assert.equal(ok.metadata!.role, 'glob');
    await expectError(attempt({ role: 'glob', jwt: await good({ ctx: { team: 'infra', repo: 'org/pay-lib' }, groups: ['db-admins'] }) }), 400, /"\/ctx\/repo" does not match/);
    await expectError(attempt({ role: 'glob', jwt: await good({ ctx: { team: 'infra', repo: 'org/a-service' }, groups: ['devs'] }) }), 400, /"groups" does not match/);
    // Expired 10 s ago: refused with no leeway, accepted by the default 150 s leeway of role ci.
    await expectError(attempt({ role: 'glob', jwt: await good({ exp: now() - 10, ctx: { team: 'infra', repo: 'org/pay-service' }, groups: ['x-admins'] }) }), 400, /expired/);
    await login(t.anon, 'auth/jwt/login', { role: 'ci', jwt: await good({ exp: now() - 10 }) });
  });

  it('refuses a caller outside token_bound_cidrs with 403', async () => {
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/fenced', { user_claim: 'sub', bound_audiences: 'coffer', token_bound_cidrs: '10.0.0.0/8' }), 204);
    await expectError(attempt({ role: 'fenced', jwt: await good() }), 403, /permission denied/);
  });

  it('fetches the JWKS again when a token names a key it has not seen (rotation), not on every login', async () => {
    const rotated = await makeKey('key-2', 'ES256');
    const before = idp.jwksFetches;
    await login(t.anon, 'auth/jwt/login', { role: 'ci', jwt: await good() });
    assert.equal(idp.jwksFetches, before, 'cached');
    idp.publish(rotated);
    await new Promise((r) => setTimeout(r, 5100));
    await login(t.anon, 'auth/jwt/login', { role: 'ci', jwt: await idp.mint({ sub: 'b', aud: 'coffer', project: 'alpha', groups: [] }, rotated) });
    assert.equal(idp.jwksFetches, before + 1);
  });

  it('verifies against PEM keys (jwt_validation_pubkeys) and a jwks_url, also when mounted as oidc', async () => {
    const es = await makeKey('k', 'ES256');
    await enable(t.root, 'pem', 'jwt');
    await expectStatus(t.root.raw('POST', 'auth/pem/config', { jwt_validation_pubkeys: [idp.keys[0]!.pem, es.pem], jwt_supported_algs: 'RS256,ES256' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/pem/role/r', { user_claim: 'sub', bound_subject: 'svc' }), 204);
    await login(t.anon, 'auth/pem/login', { role: 'r', jwt: await sign(es, { sub: 'svc' }) });
    await login(t.anon, 'auth/pem/login', { role: 'r', jwt: await sign(idp.keys[0]!, { sub: 'svc' }) });
    await expectError(attempt({ role: 'r', jwt: await sign(await makeKey('k', 'ES256'), { sub: 'svc' }) }, 'auth/pem/login'), 400, /error verifying token signature: no known key successfully validated the token signature/);

    await enable(t.root, 'oidc', 'oidc');
    await expectStatus(t.root.raw('POST', 'auth/oidc/config', { jwks_url: `${idp.issuer}/keys` }), 204);
    await expectStatus(t.root.raw('POST', 'auth/oidc/role/r', { user_claim: 'email', bound_audiences: 'coffer' }), 204);
    const auth = await login(t.anon, 'auth/oidc/login', { role: 'r', jwt: await good() });
    const self = (await t.client(auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'oidc-ci@example.com');
  });

  it('checks the signature first, with Vault\u2019s message, then the algorithm allow-list, then the claims', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signed = (alg: string, claims: Record<string, unknown>) => new SignJWT({ exp: now() + 60, ...claims }).setProtectedHeader({ alg }).sign(privateKey);
    await enable(t.root, 'sigfirst', 'jwt');
    await expectStatus(t.root.raw('POST', 'auth/sigfirst/config', { jwt_validation_pubkeys: [pem], jwt_supported_algs: 'RS256' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/sigfirst/role/r', { user_claim: 'sub', bound_subject: 'svc' }), 204);
    const refused = async (jwt: string) => (await expectStatus(attempt({ role: 'r', jwt }, 'auth/sigfirst/login'), 400)).errors;
    const noKey = ['error validating token: error verifying token signature: no known key successfully validated the token signature'];
    // An unknown key, an algorithm not allowed, expired, the wrong subject: the signature speaks first.
    assert.deepEqual(await refused(await sign(await makeKey('k', 'ES256'), { sub: 'other', exp: now() - 3600 })), noKey);
    assert.deepEqual(await refused(`${b64({ alg: 'none' })}.${b64({ sub: 'svc', exp: now() + 60 })}.`), noKey);
    assert.deepEqual(await refused(await new SignJWT({ sub: 'svc', exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pem))), noKey);
    // The configured key signs, but with an algorithm jwt_supported_algs leaves out.
    assert.match((await refused(await signed('PS256', { sub: 'svc' })))!.join(' '), /^error validating token: invalid algorithm \(alg\) header parameter: token signed with unexpected algorithm "PS256"/);
    assert.match((await refused(await signed('RS256', { sub: 'svc', exp: now() - 3600 })))!.join(' '), /expired/);
    await login(t.anon, 'auth/sigfirst/login', { role: 'r', jwt: await signed('RS256', { sub: 'svc' }) });
  });

  it('refuses renewal once the role is gone', async () => {
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/short', { user_claim: 'sub', bound_audiences: 'coffer' }), 204);
    const auth = await login(t.anon, 'auth/jwt/login', { role: 'short', jwt: await good() });
    await expectStatus(t.root.raw('DELETE', 'auth/jwt/role/short'), 204);
    await expectError(t.client(auth.client_token).raw('POST', 'auth/token/renew-self', {}), 400, /does not exist any more/);
  });

  it('tries each fitting key of a JWKS whose keys have no kid', async () => {
    const [a, b] = [await makeKey('a'), await makeKey('b')];
    const strip = ({ kid: _kid, ...jwk }: Record<string, unknown>) => jwk;
    const server = http.createServer((_req, res) => res.end(JSON.stringify({ keys: [strip(a.jwk), strip(b.jwk)] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await enable(t.root, 'nokid', 'jwt');
      await expectStatus(t.root.raw('POST', 'auth/nokid/config', { jwks_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }), 204);
      await expectStatus(t.root.raw('POST', 'auth/nokid/role/r', { user_claim: 'sub', bound_subject: 's' }), 204);
      await login(t.anon, 'auth/nokid/login', { role: 'r', jwt: await sign(b, { sub: 's' }, { kid: undefined }) });
      await expectError(attempt({ role: 'r', jwt: await sign(await makeKey('c'), { sub: 's' }, { kid: undefined }) }, 'auth/nokid/login'), 400, /error verifying token signature: no known key successfully validated the token signature/);
    } finally {
      server.close();
    }
  });
});
