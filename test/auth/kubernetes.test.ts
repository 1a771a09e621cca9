/**
 * The kubernetes auth method over HTTP against a real server, with a test Kubernetes API
 * served by the harness (HTTPS, its own CA, the TokenReview API) and real service-account
 * JWTs: configuration, roles, External Secrets Operator's call sequence, local verification
 * with pem_keys, and every kind of refusal — each a 4xx naming the reason, and audited.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { AuditDevice, AuditEvent } from '../../src/core/audit/audit-broker.js';
import { isCofferError } from '../../src/errors.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startKubeApi, K8S_ISSUER, type KubeApi } from '../helpers/kube-api.js';
import { makeKey, sign } from '../helpers/oidc-provider.js';
import { assertAuthBlock, enable, expectError, expectStatus, login, type Body } from './helpers.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const AUD = 'coffer';

describe('kubernetes auth method', () => {
  let t: TestServer;
  let kube: KubeApi;
  const attempt = (body: Record<string, unknown>, path = 'auth/kubernetes/login') => t.anon.raw<Body>('POST', path, body);

  before(async () => {
    t = await startDevServer();
    kube = await startKubeApi();
    await enable(t.root, 'kubernetes', 'kubernetes');
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/config', { kubernetes_host: kube.host, kubernetes_ca_cert: kube.caCert, token_reviewer_jwt: kube.reviewerJwt, disable_local_ca_jwt: true }), 204, 'config');
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/eso', {
      bound_service_account_names: 'external-secrets',
      bound_service_account_namespaces: 'platform,apps-*',
      audience: AUD,
      token_policies: 'eso-read',
      token_ttl: '15m',
    }), 204, 'role');
    await t.root.write('sys/policy/eso-read', { policy: 'path "secret/data/eso/*" { capabilities = ["read"] }' });
    await t.root.write('secret/data/eso/db', { data: { password: 'k8s-s3cret' } });
  });
  after(async () => {
    await t.close();
    await kube.close();
  });

  it('reads back the config without the reviewer JWT, and roles with their settings', async () => {
    const config = (await t.root.read('auth/kubernetes/config'))!.data!;
    assert.equal(config.kubernetes_host, kube.host);
    assert.equal(config.kubernetes_ca_cert, kube.caCert.trim());
    assert.equal(config.token_reviewer_jwt_set, true);
    assert.ok(!('token_reviewer_jwt' in config));
    assert.ok(!JSON.stringify(config).includes(kube.reviewerJwt));
    const role = (await t.root.read('auth/kubernetes/role/eso'))!.data!;
    assert.deepEqual(role.bound_service_account_names, ['external-secrets']);
    assert.deepEqual(role.bound_service_account_namespaces, ['platform', 'apps-*']);
    assert.equal(role.audience, AUD);
    assert.equal(role.alias_name_source, 'serviceaccount_uid');
    assert.deepEqual(role.token_policies, ['eso-read']);
    assert.equal(role.token_ttl, 900);
  });

  it('serves External Secrets Operator\u2019s sequence: login {role, jwt}, kv read, lookup-self, revoke-self', async () => {
    const jwt = await kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] });
    const reviews = kube.reviews;
    const auth = await login(t.anon, 'auth/kubernetes/login', { role: 'eso', jwt });
    assert.equal(kube.reviews, reviews + 1, 'one TokenReview');
    assertAuthBlock(auth);
    assert.deepEqual(auth.token_policies, ['default', 'eso-read']);
    assert.equal(auth.lease_duration, 900);
    assert.deepEqual(auth.metadata, {
      role: 'eso', service_account_name: 'external-secrets', service_account_namespace: 'platform', service_account_secret_name: '', service_account_uid: 'uid-platform-external-secrets',
    });
    const eso = t.client(auth.client_token);
    assert.deepEqual((await eso.read('secret/data/eso/db'))!.data!.data, { password: 'k8s-s3cret' });
    const self = (await eso.read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'kubernetes-platform-external-secrets');
    assert.equal(self.path, 'auth/kubernetes/login');
    await expectStatus(eso.raw('POST', 'auth/token/revoke-self', {}), 204);
    await expectStatus(eso.raw('GET', 'auth/token/lookup-self'), 403);
    // Namespace globs
    await login(t.anon, 'auth/kubernetes/login', { role: 'eso', jwt: await kube.mint({ namespace: 'apps-billing', name: 'external-secrets', audiences: [AUD] }) });
  });

  it('answers a login naming an impossible role with a 400, before any storage is read', async () => {
    const jwt = await kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] });
    for (const role of ['../eso', 'a/b', '.', '..', 'x'.repeat(300)]) {
      const res = await attempt({ role, jwt });
      assert.equal(res.status, 400, `${role.slice(0, 20)}: ${res.status}`);
      assert.match(JSON.stringify(res.body), /invalid role name/);
    }
  });

  it('lists, updates and deletes roles, and checks role input', async () => {
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/tmp', { bound_service_account_names: '*', bound_service_account_namespaces: 'x', audience: 'a' }), 204);
    assert.deepEqual((await expectStatus(t.root.raw<Body>('LIST', 'auth/kubernetes/role'), 200)).data!.keys, ['eso', 'tmp']);
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/tmp', { alias_name_source: 'serviceaccount_name' }), 204);
    assert.equal((await t.root.read('auth/kubernetes/role/tmp'))!.data!.alias_name_source, 'serviceaccount_name');
    await expectStatus(t.root.raw('DELETE', 'auth/kubernetes/role/tmp'), 204);
    await expectStatus(t.root.raw('GET', 'auth/kubernetes/role/tmp'), 404);
    const role = (body: Record<string, unknown>) => t.root.raw<Body>('POST', 'auth/kubernetes/role/bad', body);
    await expectError(role({ bound_service_account_namespaces: 'x' }), 400, /bound_service_account_names" can not be empty/);
    await expectError(role({ bound_service_account_names: 'x' }), 400, /bound_service_account_namespaces" can not be empty/);
    await expectError(role({ bound_service_account_names: '*,x', bound_service_account_namespaces: 'x' }), 400, /can not mix "\*"/);
    await expectError(role({ bound_service_account_names: 'x', bound_service_account_namespaces: 'x', alias_name_source: 'pod' }), 400, /invalid alias_name_source/);
    await expectError(role({ bound_service_account_names: 'x', bound_service_account_namespaces: 'x', token_type: 'batch' }), 400, /batch/);
    const warned = await expectStatus(role({ bound_service_account_names: 'x', bound_service_account_namespaces: 'x' }), 200);
    assert.match(warned.warnings![0]!, /does not have an audience/);
    await expectStatus(t.root.raw('DELETE', 'auth/kubernetes/role/bad'), 204);
    await enable(t.root, 'k8sbad', 'kubernetes');
    const cfg = (body: Record<string, unknown>) => t.root.raw<Body>('POST', 'auth/k8sbad/config', body);
    await expectError(cfg({}), 400, /kubernetes_host is required/);
    await expectError(cfg({ kubernetes_host: kube.host, pem_keys: ['nope'] }), 400, /pem_keys\[0\]/);
    await expectError(cfg({ kubernetes_host: kube.host, token_reviewer_jwt: 'opaque' }), 400, /token_reviewer_jwt is not a JWT/);
    await expectError(t.anon.raw('POST', 'auth/k8sbad/login', { role: 'x', jwt: 'a.b.c' }), 400, /invalid role name "x"/);
  });

  it('refuses wrong accounts, namespaces, audiences and tokens the cluster rejects with 403, and audits each', async () => {
    const stranger = await makeKey('sa-key');
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['wrong namespace', kube.mint({ namespace: 'default', name: 'external-secrets', audiences: [AUD] }), /namespace not authorized/],
      ['wrong service account', kube.mint({ namespace: 'platform', name: 'builder', audiences: [AUD] }), /service account name not authorized/],
      ['wrong audience', kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: ['vault'] }), /did not authenticate the token/],
      ['expired', kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD], expiresIn: -60 }), /did not authenticate the token/],
      ['signed by another key', kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] }, stranger), /did not authenticate the token/],
    ];
    const events: AuditEvent[] = [];
    const device: AuditDevice = { path: 'capture-k8s/', logRequest: async (e) => void events.push(e), logResponse: async (e) => void events.push(e) };
    t.server.core.audit.register(device);
    try {
      for (const [what, token, pattern] of cases) {
        const jwt = await token;
        const res = await attempt({ role: 'eso', jwt });
        assert.equal(res.status, 403, `${what}: ${JSON.stringify(res.body)}`);
        const message = res.body!.errors!.join(' ');
        assert.match(message, /^permission denied: /, what);
        assert.match(message, pattern, what);
        assert.ok(!message.includes(jwt.split('.')[1]!), `${what}: the token is echoed`);
      }
    } finally {
      t.server.core.audit.unregister(device.path);
    }
    const logged = events.filter((e) => e.request.path === 'auth/kubernetes/login');
    assert.equal(logged.length, 2 * cases.length, 'each refused login is audited, request and response');
    assert.ok(logged.filter((_, i) => i % 2 === 1).every((e) => isCofferError(e.error) && e.error.status === 403));
    await expectError(attempt({ role: 'eso' }), 400, /missing jwt/);
    await expectError(attempt({ jwt: 'x' }), 400, /missing role/);
    await expectError(attempt({ role: 'nope', jwt: 'x' }), 400, /invalid role name "nope"/);
  });

  it('says clearly when the cluster cannot review: reviewer not authorized, wrong CA, server down', async () => {
    const jwt = await kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] });
    const other = await startKubeApi();
    await enable(t.root, 'k8s2', 'kubernetes');
    await expectStatus(t.root.raw('POST', 'auth/k8s2/role/eso', { bound_service_account_names: 'external-secrets', bound_service_account_namespaces: 'platform', audience: AUD }), 204);
    const cfg = (body: Record<string, unknown>) => expectStatus(t.root.raw('POST', 'auth/k8s2/config', { disable_local_ca_jwt: true, ...body }), 204);
    const k2 = (token = jwt) => attempt({ role: 'eso', jwt: token }, 'auth/k8s2/login');
    // The other cluster's reviewer token is not accepted here.
    await cfg({ kubernetes_host: kube.host, kubernetes_ca_cert: kube.caCert, token_reviewer_jwt: other.reviewerJwt });
    await expectError(k2(), 403, /token reviewer is not authorized/);
    // No reviewer token: the caller's own JWT is the bearer, which this test API refuses.
    await cfg({ token_reviewer_jwt: '' });
    await expectError(k2(), 403, /token reviewer is not authorized/);
    // The other cluster's CA does not vouch for this server's certificate.
    await cfg({ kubernetes_ca_cert: other.caCert, token_reviewer_jwt: kube.reviewerJwt });
    await expectError(k2(), 400, /the Kubernetes API could not review the token: could not reach .*does not verify against kubernetes_ca_cert/);
    await cfg({ kubernetes_host: other.host, kubernetes_ca_cert: other.caCert, token_reviewer_jwt: other.reviewerJwt });
    await other.close();
    await expectError(k2(), 400, /the Kubernetes API could not review the token: could not reach/);
  });

  it('keeps a kubernetes_ca_cert as given, as Vault, and refuses logins through it naming the field; requires one without the pod\u2019s CA', async () => {
    await enable(t.root, 'k8sca', 'kubernetes');
    await expectStatus(t.root.raw('POST', 'auth/k8sca/role/eso', { bound_service_account_names: 'external-secrets', bound_service_account_namespaces: 'platform', audience: AUD }), 204);
    const cfg = (body: Record<string, unknown>) => t.root.raw<Body>('POST', 'auth/k8sca/config', body);
    // Vault's words and status, for an https host and a plain http one alike.
    for (const host of [kube.host, 'http://10.0.0.1:8080']) {
      const res = await expectStatus(cfg({ kubernetes_host: host, disable_local_ca_jwt: true, token_reviewer_jwt: kube.reviewerJwt }), 400);
      assert.deepEqual(res.errors, ['kubernetes_ca_cert must be given when disable_local_ca_jwt is true']);
    }
    const jwt = await kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] });
    const garbled = kube.caCert.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    for (const ca of ['nope', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', garbled]) {
      await expectStatus(cfg({ kubernetes_host: kube.host, kubernetes_ca_cert: ca, disable_local_ca_jwt: true, token_reviewer_jwt: kube.reviewerJwt }), 204);
      assert.equal((await t.root.read('auth/k8sca/config'))!.data!.kubernetes_ca_cert, ca.trim());
      await expectError(attempt({ role: 'eso', jwt }, 'auth/k8sca/login'), 400, /^kubernetes_ca_cert holds no valid PEM certificate/);
    }
    await expectStatus(cfg({ kubernetes_ca_cert: kube.caCert }), 204);
    await login(t.anon, 'auth/k8sca/login', { role: 'eso', jwt });
  });

  it('verifies service-account JWTs locally with pem_keys: projected and legacy tokens, issuer, signature, algorithms', async () => {
    await enable(t.root, 'k8slocal', 'kubernetes');
    await expectStatus(t.root.raw('POST', 'auth/k8slocal/config', { kubernetes_host: 'https://k8s.invalid:6443', pem_keys: [kube.key.pem] }), 204);
    await expectStatus(t.root.raw('POST', 'auth/k8slocal/role/app', { bound_service_account_names: 'app-*', bound_service_account_namespaces: '*', alias_name_source: 'serviceaccount_name' }), 200);
    const local = (jwt: string) => attempt({ role: 'app', jwt }, 'auth/k8slocal/login');
    const reviews = kube.reviews;
    const auth = await login(t.anon, 'auth/k8slocal/login', { role: 'app', jwt: await kube.mint({ namespace: 'shop', name: 'app-web' }) });
    assert.equal(auth.metadata!.service_account_uid, 'uid-shop-app-web');
    const legacy = await login(t.anon, 'auth/k8slocal/login', { role: 'app', jwt: await kube.mintLegacy({ namespace: 'shop', name: 'app-cron', secretName: 'app-cron-token-abcde' }) });
    assert.equal(legacy.metadata!.service_account_secret_name, 'app-cron-token-abcde');
    assert.equal(kube.reviews, reviews, 'no TokenReview when pem_keys are set');

    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: K8S_ISSUER, exp: now + 600, 'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'app-web', uid: 'u' } } };
    await expectError(local(await kube.mint({ namespace: 'shop', name: 'db' })), 403, /service account name not authorized/);
    await expectError(local(await kube.mint({ namespace: 'shop', name: 'app-web', expiresIn: -600 })), 403, /expired/);
    await expectError(local(await kube.mint({ namespace: 'shop', name: 'app-web' }, await makeKey('sa-key'))), 403, /signature does not verify/);
    await expectError(local(`${b64({ alg: 'none' })}.${b64(claims)}.`), 403, /algorithm "none" is not allowed/);
    await expectError(local(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(kube.key.pem))), 403, /algorithm "HS256" is not allowed/);
    await expectError(local(await sign(kube.key, { iss: K8S_ISSUER, sub: 'x' })), 403, /does not name a service account/);
    await expectError(local('garbage'), 403, /malformed/);
    // Issuer validation, when turned on.
    await expectStatus(t.root.raw('POST', 'auth/k8slocal/config', { disable_iss_validation: false, issuer: K8S_ISSUER }), 204);
    await login(t.anon, 'auth/k8slocal/login', { role: 'app', jwt: await kube.mint({ namespace: 'shop', name: 'app-web' }) });
    await expectError(local(await kube.mintLegacy({ namespace: 'shop', name: 'app-cron', secretName: 's' })), 403, /wrong issuer/);
    // Audience bound on the role
    await expectStatus(t.root.raw('POST', 'auth/k8slocal/role/app', { audience: AUD }), 204);
    await expectError(local(await kube.mint({ namespace: 'shop', name: 'app-web' })), 403, /audience/);
    await login(t.anon, 'auth/k8slocal/login', { role: 'app', jwt: await kube.mint({ namespace: 'shop', name: 'app-web', audiences: [AUD] }) });
  });

  it('refuses a caller outside token_bound_cidrs with 403, and renewal once the role is gone', async () => {
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/fenced', { bound_service_account_names: 'external-secrets', bound_service_account_namespaces: 'platform', audience: AUD, token_bound_cidrs: '10.0.0.0/8' }), 204);
    const jwt = await kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] });
    await expectError(attempt({ role: 'fenced', jwt }), 403, /permission denied/);
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/short', { bound_service_account_names: 'external-secrets', bound_service_account_namespaces: 'platform', audience: AUD }), 204);
    const auth = await login(t.anon, 'auth/kubernetes/login', { role: 'short', jwt });
    await expectStatus(t.client(auth.client_token).raw('POST', 'auth/token/renew-self', {}), 200);
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/short', { token_policies: 'more' }), 204);
    await expectError(t.client(auth.client_token).raw('POST', 'auth/token/renew-self', {}), 400, /policies have changed/);
    await expectStatus(t.root.raw('POST', 'auth/kubernetes/role/short', { token_policies: '' }), 204);
    await expectStatus(t.client(auth.client_token).raw('POST', 'auth/token/renew-self', {}), 200);
    await expectStatus(t.root.raw('DELETE', 'auth/kubernetes/role/short'), 204);
    await expectError(t.client(auth.client_token).raw('POST', 'auth/token/renew-self', {}), 400, /does not exist any more/);
  });

  it('keeps service-account JWTs and the reviewer token out of the audit log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-k8s-audit-'));
    const log = join(dir, 'audit.log');
    try {
      await expectStatus(t.root.raw('PUT', 'sys/audit/k8sfile', { type: 'file', options: { file_path: log } }), 204);
      await expectStatus(t.root.raw('POST', 'auth/kubernetes/config', { token_reviewer_jwt: kube.reviewerJwt }), 204);
      const good = await kube.mint({ namespace: 'platform', name: 'external-secrets', audiences: [AUD] });
      const bad = await kube.mint({ namespace: 'default', name: 'external-secrets', audiences: [AUD] });
      const auth = await login(t.anon, 'auth/kubernetes/login', { role: 'eso', jwt: good });
      await expectStatus(attempt({ role: 'eso', jwt: bad }), 403);
      await expectStatus(t.root.raw('DELETE', 'sys/audit/k8sfile'), 204);
      const text = readFileSync(log, 'utf8');
      assert.match(text, /auth\/kubernetes\/login/);
      for (const secret of [good, bad, kube.reviewerJwt, auth.client_token]) {
        assert.ok(!text.includes(secret.split('.')[1] ?? secret), 'a credential is in the audit log');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
