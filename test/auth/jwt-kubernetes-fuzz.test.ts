/**
 * Random and malformed requests to every jwt and kubernetes path, and random token-shaped
 * strings (odd headers, algorithms, key ids, claims) to their logins: each must get a JSON
 * answer that is not a 5xx, and afterwards the real roles must still log in.
 * `FUZZ_SEED=<seed>` replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unicodeString, VISIBLE } from '../helpers/fuzz/alphabets.js';
import { Prng } from '../helpers/fuzz/prng.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startKubeApi, type KubeApi } from '../helpers/kube-api.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { enable, expectStatus, login } from './helpers.js';

const FIELDS = [
  'role', 'jwt', 'role_type', 'bound_audiences', 'bound_subject', 'bound_claims', 'bound_claims_type', 'claim_mappings', 'user_claim', 'user_claim_json_pointer',
  'groups_claim', 'clock_skew_leeway', 'expiration_leeway', 'not_before_leeway', 'allowed_redirect_uris', 'token_policies', 'token_ttl', 'token_type',
  'token_bound_cidrs', 'policies', 'ttl', 'jwt_validation_pubkeys', 'jwks_url', 'jwks_ca_pem', 'oidc_discovery_url', 'bound_issuer', 'default_role',
  'jwt_supported_algs', 'provider_config', 'kubernetes_host', 'kubernetes_ca_cert', 'token_reviewer_jwt', 'pem_keys', 'issuer', 'disable_iss_validation',
  'bound_service_account_names', 'bound_service_account_namespaces', 'audience', 'alias_name_source', '__proto__', 'constructor',
];

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function value(r: Prng, depth = 0): unknown {
  return r.weighted<() => unknown>([
    [3, () => r.string(r.range(0, 12), VISIBLE)],
    [2, () => r.pick(['1h', '0', '-1', '-2', '10.0.0.0/8', 'a,b,,c', 'jwt', 'oidc', 'glob', 'string', 'RS256', 'HS256', 'none', 'http://127.0.0.1:1', 'https://', '*', '/a/b', '~1', 'serviceaccount_name', ''])],
    [1, () => unicodeString(r, r.range(1, 8))],
    [2, () => r.pick([0, 1, -1, 1.5, 2 ** 53, 1e308])],
    [1, () => r.chance(0.5)],
    [1, () => null],
    [1, () => (depth > 2 ? 'x' : Array.from({ length: r.range(0, 3) }, () => value(r, depth + 1)))],
    [1, () => (depth > 2 ? 'y' : Object.fromEntries(Array.from({ length: r.range(0, 3) }, () => [r.pick(FIELDS), value(r, depth + 1)])))],
  ])();
}

function tokenish(r: Prng): string {
  const header = { alg: r.pick(['RS256', 'ES256', 'HS256', 'none', 'EdDSA', 'PS512', 7, null]), kid: r.pick(['key-1', 'sa-key', 'x', 3, undefined]), crit: r.chance(0.1) ? ['exp'] : undefined };
  const claims = r.chance(0.2) ? value(r) : { iss: value(r), aud: value(r), sub: value(r), exp: r.pick([0, 2 ** 40, -1, '1', undefined]), 'kubernetes.io': value(r) };
  const parts = [r.chance(0.9) ? b64(header) : r.string(8, VISIBLE), b64(claims as object), r.chance(0.5) ? '' : r.string(r.range(0, 40), VISIBLE)];
  return parts.slice(0, r.pick([1, 2, 3, 3, 3])).join('.');
}

describe('jwt and kubernetes auth under random input', () => {
  let t: TestServer;
  let idp: OidcProvider;
  let kube: KubeApi;
  before(async () => {
    t = await startDevServer();
    idp = await startOidcProvider();
    kube = await startKubeApi();
    await enable(t.root, 'jwt', 'jwt');
    await enable(t.root, 'kubernetes', 'kubernetes');
    await expectStatus(t.root.raw('POST', 'auth/jwt/config', { oidc_discovery_url: idp.issuer }), 204);
    await expectStatus(t.root.raw('POST', 'auth/jwt/role/keeper', { user_claim: 'sub', bound_audiences: 'coffer' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/config', { kubernetes_host: kube.host, kubernetes_ca_cert: kube.caCert, token_reviewer_jwt: kube.reviewerJwt, disable_local_ca_jwt: true }), 204);
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/keeper', { bound_service_account_names: 'app', bound_service_account_namespaces: 'shop', audience: 'coffer' }), 204);
  });
  after(async () => {
    await t.close();
    await idp.close();
    await kube.close();
  });

  it('answers 1,000 random requests without a 5xx, and the real roles still log in', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = new Prng(seed);
    const names = ['fuzz', 'keeper', 'a.b', '-x', 'x'.repeat(300), '%2e%2e', 'é', '%00', ''];
    for (let i = 0; i < 1000; i++) {
      const mount = r.pick(['jwt', 'kubernetes']);
      const name = encodeURIComponent(r.pick(names)).replace(/%25/g, '%');
      const path = r.weighted<() => string>([
        [3, () => `auth/${mount}/role/${name}`],
        [1, () => `auth/${mount}/role`],
        [1, () => `auth/${mount}/config`],
        [4, () => `auth/${mount}/login`],
      ])().replace(/\/$/, '');
      const isLogin = path.endsWith('/login');
      const method = isLogin ? 'POST' : r.pick(['GET', 'POST', 'PUT', 'DELETE', 'LIST', 'PATCH']);
      const body: Record<string, unknown> = Object.fromEntries(Array.from({ length: r.range(0, 5) }, () => [r.pick(FIELDS), value(r)]));
      if (isLogin) {
        body.role = r.chance(0.7) ? 'keeper' : value(r);
        body.jwt = r.chance(0.8) ? tokenish(r) : value(r);
      }
      // The keepers and the configs are never rewritten: the fuzz must not break what it checks afterwards.
      if ((/keeper/.test(path) || path.endsWith('/config')) && method !== 'GET' && method !== 'LIST') continue;
      const client = r.chance(0.8) || isLogin ? t.root : t.anon;
      const res = await client.raw(method as 'GET', path, method === 'GET' || method === 'LIST' ? undefined : body);
      assert.ok(res.status < 500, `seed ${seed}, request ${i}: ${method} ${path} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status >= 400) assert.ok(Array.isArray((res.body as { errors?: unknown })?.errors), `seed ${seed}: ${method} ${path} → ${res.status} without errors`);
    }
    await login(t.anon, 'auth/jwt/login', { role: 'keeper', jwt: await idp.mint({ sub: 'me', aud: 'coffer' }) });
    await login(t.anon, 'auth/kubernetes/login', { role: 'keeper', jwt: await kube.mint({ namespace: 'shop', name: 'app', audiences: ['coffer'] }) });
  });
});
