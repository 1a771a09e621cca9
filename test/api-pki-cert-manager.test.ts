/**
 * cert-manager's Vault issuer against a real server, replayed from its source (see
 * test/helpers/cert-manager.ts): a PKI mount at a custom path (`pki_int/sign/<role>`), each
 * of its logins (token, AppRole, Kubernetes), the sign call as the Go client sends it, the
 * chain it stores as tls.crt and ca.crt checked with `openssl verify`, and its error answer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { expectStatus } from './auth/helpers.js';
import { certManagerSign, certManagerToken, goRequest } from './helpers/cert-manager.js';
import { startKubeApi, type KubeApi } from './helpers/kube-api.js';
import { ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe("cert-manager's Vault issuer", () => {
  let x: PkiTest;
  let kube: KubeApi;
  let csr = '';
  let keyFile = '';
  before(async () => {
    x = await startPki();
    kube = await startKubeApi();
    const r = x.t.root;
    await expectStatus(r.raw('POST', 'sys/mounts/pki_int', { type: 'pki', config: { max_lease_ttl: '87600h' } }), 204);
    ok(await x.call('POST', 'pki_int/root/generate/internal', { common_name: 'Cluster CA', ttl: '8760h' }));
    ok(await x.call('POST', 'pki_int/roles/example-dot-com', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'any', max_ttl: '2160h' }));
    await expectStatus(r.raw('PUT', 'sys/policies/acl/cert-manager', { policy: 'path "pki_int/sign/example-dot-com" { capabilities = ["create", "update"] }' }), 204);
    await expectStatus(r.raw('POST', 'sys/auth/approle', { type: 'approle' }), 204);
    await expectStatus(r.raw('POST', 'auth/approle/role/cert-manager', { token_policies: 'cert-manager' }), 204);
    await expectStatus(r.raw('POST', 'sys/auth/kubernetes', { type: 'kubernetes' }), 204);
    await expectStatus(r.raw('POST', 'auth/kubernetes/config', { kubernetes_host: kube.host, kubernetes_ca_cert: kube.caCert, token_reviewer_jwt: kube.reviewerJwt, disable_local_ca_jwt: true }), 204);
    await expectStatus(r.raw('POST', 'auth/kubernetes/role/issuer', { bound_service_account_names: 'vault-issuer', bound_service_account_namespaces: 'sandbox', audience: 'vault://sandbox/vault-issuer', token_policies: 'cert-manager' }), 204);
    // The CSR cert-manager makes from a Certificate: CN, DNS names, an IP and a URI, all in the CSR.
    keyFile = x.file('tls.key', '');
    const csrFile = x.file('tls.csr', '');
    const made = openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=www.example.com', '-addext', 'subjectAltName=DNS:www.example.com,DNS:api.example.com,IP:10.0.0.7', '-keyout', keyFile, '-out', csrFile]);
    assert.equal(made.status, 0, made.out);
    csr = readFileSync(csrFile, 'utf8');
  });
  after(async () => {
    await x.t.close();
    await kube.close();
  });

  /** What cert-manager would write into the Secret, checked as a TLS client would. */
  const verifyStored = (name: string, stored: { chainPem: string; caPem: string }) => {
    const crt = x.file(`${name}-tls.crt`, stored.chainPem);
    const ca = x.file(`${name}-ca.crt`, stored.caPem);
    const v = openssl(['verify', '-CAfile', ca, crt]);
    assert.equal(v.status, 0, v.out);
    assert.equal(openssl(['pkey', '-pubout', '-in', keyFile]).out, openssl(['x509', '-noout', '-pubkey'], stored.chainPem).out);
    const text = openssl(['x509', '-noout', '-text'], stored.chainPem).out;
    assert.match(text, /DNS:www\.example\.com, DNS:api\.example\.com, IP Address:10\.0\.0\.7/);
    assert.match(text, /Issuer: CN\s?=\s?Cluster CA/);
    // A root is self-signed: it is ca.crt and stays out of tls.crt.
    assert.equal(stored.chainPem.match(/BEGIN CERTIFICATE/g)!.length, 1);
    assert.match(openssl(['x509', '-noout', '-subject'], stored.caPem).out, /CN\s?=\s?Cluster CA/);
  };

  it('checks sys/health with its client, then signs with a token from a Secret', async () => {
    const child = ok(await x.call('POST', 'auth/token/create', { policies: ['cert-manager'], ttl: '1h' })).body as any;
    const token = await certManagerToken(x.t.address, { token: `${child.auth.client_token}\n` });
    assert.equal((await goRequest(x.t.address, 'GET', '/v1/sys/health', token)).status, 200);
    const stored = await certManagerSign(x.t.address, token, 'pki_int/sign/example-dot-com', csr, '2160h0m0s');
    verifyStored('token', stored);
    const days = Math.round((new Date(openssl(['x509', '-noout', '-enddate'], stored.chainPem).out.trim().replace('notAfter=', '')).getTime() - Date.now()) / 86400e3);
    assert.equal(days, 90);
  });

  it('logs in with AppRole, as its appRole auth does, then signs', async () => {
    const roleId = (ok(await x.call('GET', 'auth/approle/role/cert-manager/role-id')).body!.data! as any).role_id;
    const secretId = (ok(await x.call('POST', 'auth/approle/role/cert-manager/secret-id')).body!.data! as any).secret_id;
    const token = await certManagerToken(x.t.address, { appRole: { roleId, secretId } });
    verifyStored('approle', await certManagerSign(x.t.address, token, 'pki_int/sign/example-dot-com', csr, '24h0m0s'));
  });

  it('logs in with a Kubernetes service-account token bound to its issuer audience, then signs', async () => {
    const jwt = await kube.mint({ namespace: 'sandbox', name: 'vault-issuer', audiences: ['vault://sandbox/vault-issuer', x.t.address], expiresIn: 600 });
    const token = await certManagerToken(x.t.address, { kubernetes: { role: 'issuer', jwt } });
    verifyStored('k8s', await certManagerSign(x.t.address, token, 'pki_int/sign/example-dot-com', csr, '1h0m0s'));
  });

  it('gets an error answer it can show: a 400 with the name refused, and 403 for a path its policy does not cover', async () => {
    const token = (ok(await x.call('POST', 'auth/token/create', { policies: ['cert-manager'], ttl: '1h' })).body as any).auth.client_token;
    const evil = x.file('evil.csr', '');
    assert.equal(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=www.evil.com', '-addext', 'subjectAltName=DNS:www.evil.com', '-keyout', x.file('evil.key', ''), '-out', evil]).status, 0);
    await assert.rejects(certManagerSign(x.t.address, token, 'pki_int/sign/example-dot-com', readFileSync(evil, 'utf8'), '1h0m0s'), /failed to sign certificate by vault: Code: 400\. Errors:\n\n\* common name www\.evil\.com not allowed by this role/);
    await assert.rejects(certManagerSign(x.t.address, token, 'pki/sign/example-dot-com', csr, '1h0m0s'), /Code: 403/);
    const raw = await goRequest(x.t.address, 'POST', '/v1/pki_int/sign/example-dot-com', token, { csr: 'garbage', common_name: 'x.example.com', ttl: '1h0m0s' });
    assert.equal(raw.status, 400);
    assert.match(String(raw.headers['content-type']), /application\/json/);
    assert.deepEqual(Object.keys(raw.body), ['errors']);
  });
});
