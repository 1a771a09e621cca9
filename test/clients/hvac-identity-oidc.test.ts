import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac secrets.identity identity tokens against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('configures the issuer, creates keys and roles, issues, introspects and publishes tokens that jose verifies', async () => {
    const { code, out } = await runHvacScript('hvac_identity_oidc.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    for (const s of ['configure_tokens_backend', 'create_named_key', 'create_or_update_role', 'generate_signed_id_token', 'introspect_signed_id_token', 'read_well_known_configurations, read_active_public_keys', 'rotate_named_key', 'delete_role, delete_named_key']) {
      assert.ok(out.includes(`ok ${s}`), `missing step "${s}" in:\n${out}`);
    }
    assert.match(out, /ok hvac identity oidc/);
    const field = (name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(out)![1]!;
    const jwks = (await t.anon.raw('GET', 'identity/oidc/.well-known/keys')).body as unknown as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(field('token'), createLocalJWKSet(jwks), { issuer: `${t.address}/v1/identity/oidc`, audience: field('client') });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, field('entity'));
    assert.equal(payload.team, 'py');
    assert.deepEqual(payload.groups, ['py-oidc-group']);
  });
});
