/**
 * Identity tokens over HTTP against a real server: named keys, roles with claims templates,
 * tokens for the caller's entity verified with jose against the published JWKS, rotation
 * (the old key stays published for verification_ttl, then goes), introspection, the issuer
 * setting, and the 400s for bad input.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { HttpMethod } from '../src/api/client.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { enable, expectError, expectStatus, login, type Body } from './auth/helpers.js';

type Data = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('identity tokens', () => {
  let t: TestServer;
  let userToken: string;
  let entityId: string;
  let groupId: string;
  let accessor: string;
  const ok = async (method: HttpMethod, path: string, body?: Data, status = 204): Promise<Body> => expectStatus(t.root.raw<Body>(method, path, body), status, `${method} ${path}`);
  const issue = async (role: string, token = userToken) => (await expectStatus(t.client(token).raw<Body>('GET', `identity/oidc/token/${role}`), 200, `token ${role}`)).data as { token: string; client_id: string; ttl: number };
  const jwks = async () => (await fetch(`${t.address}/v1/identity/oidc/.well-known/keys`)).json() as Promise<JSONWebKeySet>;
  const kids = async () => (await jwks()).keys.map((k) => k.kid);

  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'userpass', 'userpass');
    accessor = ((await t.root.read('sys/auth'))!.data as Record<string, { accessor: string }>)['userpass/']!.accessor;
    await ok('POST', 'auth/userpass/users/alice', { password: 'pw-alice', token_policies: 'oidc-user' });
    await ok('PUT', 'sys/policies/acl/oidc-user', { policy: 'path "identity/oidc/token/*" { capabilities = ["read"] }' });
    entityId = ((await ok('POST', 'identity/entity', { name: 'alice', metadata: { team: 'blue', email: 'alice@example.com' } }, 200)).data as Data).id as string;
    await ok('POST', 'identity/entity-alias', { name: 'alice', canonical_id: entityId, mount_accessor: accessor }, 200);
    groupId = ((await ok('POST', 'identity/group', { name: 'engineers', member_entity_ids: [entityId] }, 200)).data as Data).id as string;
    await ok('POST', 'identity/group', { name: 'staff', member_group_ids: [groupId] }, 200);
    userToken = (await login(t.anon, 'auth/userpass/login/alice', { password: 'pw-alice' })).client_token;
  });
  after(() => t.close());

  it('issues a token for the caller’s entity that jose verifies against the published keys, with the template’s claims', async () => {
    await ok('POST', 'identity/oidc/key/es', { algorithm: 'ES256', allowed_client_ids: '*' });
    const tmpl = `{"team": {{identity.entity.metadata.team}}, "name": {{identity.entity.name}}, "greeting": "hi {{identity.entity.name}}", "groups": {{identity.entity.groups.names}}, "user": {{identity.entity.aliases.${accessor}.name}}, "missing": {{identity.entity.metadata.nope}}, "meta": {{identity.entity.metadata}}}`;
    await ok('POST', 'identity/oidc/role/app', { key: 'es', ttl: '1h', template: Buffer.from(tmpl).toString('base64') });
    const role = (await ok('GET', 'identity/oidc/role/app', undefined, 200)).data as Data;
    assert.equal(role.key, 'es');
    assert.equal(role.ttl, 3600);
    assert.match(role.client_id as string, /^[A-Za-z0-9]{26}$/);

    const { token, client_id, ttl } = await issue('app');
    assert.equal(client_id, role.client_id);
    assert.equal(ttl, 3600);
    const remote = createRemoteJWKSet(new URL(`${t.address}/v1/identity/oidc/.well-known/keys`));
    const { payload, protectedHeader } = await jwtVerify(token, remote, { issuer: `${t.address}/v1/identity/oidc`, audience: client_id });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, entityId);
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.equal(payload.namespace, 'root');
    assert.equal(payload.team, 'blue');
    assert.equal(payload.name, 'alice');
    assert.equal(payload.greeting, 'hi alice');
    assert.deepEqual([...(payload.groups as string[])].sort(), ['engineers', 'staff']);
    assert.equal(payload.user, 'alice');
    assert.deepEqual(payload.meta, { team: 'blue', email: 'alice@example.com' });
    assert.ok(!('missing' in payload), 'a parameter without a value leaves its claim out');

    const discovery = (await (await fetch(`${t.address}/v1/identity/oidc/.well-known/openid-configuration`)).json()) as Data;
    assert.equal(discovery.issuer, `${t.address}/v1/identity/oidc`);
    assert.equal(discovery.jwks_uri, `${t.address}/v1/identity/oidc/.well-known/keys`);
  });

  it('signs with every algorithm Vault offers and never answers a private key', async () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'ES384', 'ES512', 'EdDSA']) {
      const name = `k-${alg.toLowerCase()}`;
      await ok('POST', `identity/oidc/key/${name}`, { algorithm: alg, allowed_client_ids: ['*'], rotation_period: '12h', verification_ttl: 43200 });
      await ok('POST', `identity/oidc/role/r-${name}`, { key: name, ttl: 600 });
      const { token } = await issue(`r-${name}`);
      const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(await jwks()));
      assert.equal(protectedHeader.alg, alg);
      const read = await t.root.raw('GET', `identity/oidc/key/${name}`);
      assert.deepEqual(read.body!.data, { algorithm: alg, rotation_period: 43200, verification_ttl: 43200, allowed_client_ids: ['*'] });
    }
    const published = JSON.stringify(await jwks());
    assert.ok(!/"d"\s*:/.test(published) && !/"p"\s*:/.test(published), 'no private parameter is published');
    const listed = (await ok('LIST', 'identity/oidc/key', undefined, 200)).data as { keys: string[] };
    assert.ok(listed.keys.includes('default') && listed.keys.includes('k-eddsa'), JSON.stringify(listed));
    assert.deepEqual(((await ok('LIST', 'identity/oidc/role', undefined, 200)).data as { keys: string[] }).keys.slice(0, 2), ['app', 'r-k-eddsa']);
  });

  it('keeps a rotated key published for verification_ttl, then drops it; rotates on rotation_period by itself', async () => {
    await ok('POST', 'identity/oidc/key/rot', { algorithm: 'RS256', allowed_client_ids: '*', verification_ttl: '1h' });
    await ok('POST', 'identity/oidc/role/rot', { key: 'rot', ttl: 60 });
    const first = await issue('rot');
    const firstKid = decodeProtectedHeader(first.token).kid!;
    await ok('POST', 'identity/oidc/key/rot/rotate', {});
    const second = await issue('rot');
    const secondKid = decodeProtectedHeader(second.token).kid!;
    assert.notEqual(firstKid, secondKid);
    assert.ok((await kids()).includes(firstKid), 'the replaced key is still published');
    await jwtVerify(first.token, createLocalJWKSet(await jwks()));

    await ok('POST', 'identity/oidc/key/rot/rotate', { verification_ttl: '2s' });
    const third = decodeProtectedHeader((await issue('rot')).token).kid!;
    assert.ok((await kids()).includes(secondKid));
    await sleep(2200);
    const after2s = await kids();
    assert.ok(!after2s.includes(secondKid), 'gone once its verification_ttl is over');
    assert.ok(after2s.includes(firstKid) && after2s.includes(third));
    await assert.rejects(jwtVerify(second.token, createLocalJWKSet(await jwks())));

    await ok('POST', 'identity/oidc/key/rot/rotate', { verification_ttl: 0 });
    assert.ok(!(await kids()).includes(third), 'verification_ttl 0 drops the replaced key at once');

    await ok('POST', 'identity/oidc/key/fast', { allowed_client_ids: '*', rotation_period: 1, verification_ttl: 10 });
    await ok('POST', 'identity/oidc/role/fast', { key: 'fast', ttl: 5 });
    const a = decodeProtectedHeader((await issue('fast')).token).kid;
    await sleep(1200);
    const b = decodeProtectedHeader((await issue('fast')).token).kid;
    assert.notEqual(a, b, 'a key past its rotation_period signs with a new key');
    assert.ok((await kids()).includes(a!));
  });

  it('introspects: active for a good token, inactive for a wrong audience, a forged or an unpublished one', async () => {
    await ok('POST', 'identity/oidc/key/intro', { allowed_client_ids: '*' });
    await ok('POST', 'identity/oidc/role/intro', { key: 'intro', ttl: 60 });
    const { token, client_id } = await issue('intro');
    const introspect = async (body: Data) => (await t.root.raw('POST', 'identity/oidc/introspect', body)).body as Data;
    assert.deepEqual(await introspect({ token }), { active: true });
    assert.deepEqual(await introspect({ token, client_id }), { active: true });
    assert.equal((await introspect({ token, client_id: 'someone-else' })).active, false);
    const [h, p, s] = token.split('.');
    const forged = JSON.parse(Buffer.from(p!, 'base64url').toString());
    forged.sub = 'another-entity';
    assert.equal((await introspect({ token: `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}` })).active, false);
    await ok('POST', 'identity/oidc/key/intro/rotate', { verification_ttl: 0 });
    assert.equal((await introspect({ token })).active, false);
    await expectError(t.root.raw('POST', 'identity/oidc/introspect', {}), 400, /missing token/);
  });

  it('uses the configured issuer in iss and discovery, and the api address again when it is cleared', async () => {
    const cfg = await ok('POST', 'identity/oidc/config', { issuer: 'https://coffer.example.com:8200' }, 200);
    assert.ok(cfg.warnings?.length);
    assert.deepEqual((await ok('GET', 'identity/oidc/config', undefined, 200)).data, { issuer: 'https://coffer.example.com:8200' });
    const { token } = await issue('app');
    const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: 'https://coffer.example.com:8200/v1/identity/oidc' });
    assert.equal(payload.sub, entityId);
    await expectError(t.root.raw('POST', 'identity/oidc/config', { issuer: 'not a url' }), 400, /issuer/);
    await ok('POST', 'identity/oidc/config', { issuer: '' });
    const again = await issue('app');
    await jwtVerify(again.token, createLocalJWKSet(await jwks()), { issuer: `${t.address}/v1/identity/oidc` });
    // Unauthenticated discovery with a Host header of the caller's choosing still names the server's own address.
    const forged = await new Promise<Data>((resolve, reject) => {
      const req = http.get(`${t.address}/v1/identity/oidc/.well-known/openid-configuration`, { headers: { host: 'evil.example:443' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(JSON.parse(body) as Data));
      });
      req.on('error', reject);
    });
    assert.equal(forged.issuer, `${t.address}/v1/identity/oidc`);
  });

  it('refuses bad input with a 400 naming the problem, and changes nothing', async () => {
    await expectError(t.root.raw('POST', 'identity/oidc/key/bad', { algorithm: 'HS256' }), 400, /algorithm/);
    await expectError(t.root.raw('POST', 'identity/oidc/key/bad', { rotation_period: 'soon' }), 400, /rotation_period/);
    await expectError(t.root.raw('POST', 'identity/oidc/key/bad', { rotation_period: '1h', verification_ttl: '11h' }), 400, /10x rotation_period/);
    assert.equal((await t.root.raw('GET', 'identity/oidc/key/bad')).status, 404);
    await expectError(t.root.raw('POST', 'identity/oidc/role/bad', { key: 'nope' }), 400, /key "nope" does not exist/);
    await expectError(t.root.raw('POST', 'identity/oidc/role/bad', { key: 'es', template: '{"sub": "x"}' }), 400, /top level key "sub" not allowed/);
    await expectError(t.root.raw('POST', 'identity/oidc/role/bad', { key: 'es', template: '{"a": {{identity.entity.secret}}}' }), 400, /unknown parameter/);
    await expectError(t.root.raw('POST', 'identity/oidc/role/bad', { key: 'es', template: '[1,2]' }), 400, /JSON object/);
    await expectError(t.root.raw('POST', 'identity/oidc/role/bad', { key: 'es', ttl: '48h' }), 400, /verification_ttl/);
    assert.equal((await t.root.raw('GET', 'identity/oidc/role/bad')).status, 404);
    await expectError(t.root.raw('DELETE', 'identity/oidc/key/es'), 400, /referenced by these roles: app/);
    await expectError(t.root.raw('POST', 'identity/oidc/key/es', { verification_ttl: '10m' }), 400, /token ttl greater than 600/);

    await ok('POST', 'identity/oidc/key/closed', { allowed_client_ids: 'someone' });
    await ok('POST', 'identity/oidc/role/closed', { key: 'closed' });
    await expectError(t.client(userToken).raw('GET', 'identity/oidc/token/closed'), 400, /does not list the client ID of the role "closed"/);
    await expectError(t.client(userToken).raw('GET', 'identity/oidc/token/nope'), 400, /role "nope" not found/);
    await expectError(t.root.raw('GET', 'identity/oidc/token/app'), 400, /no entity associated/);
    assert.equal((await t.anon.raw('GET', 'identity/oidc/token/app')).status, 403);
  });
});
