/**
 * The request sequences of Kubernetes operators that log in with AppRole, sent the way the
 * Go client (`hashicorp/vault/api`) sends them: PUT with a JSON body and no Content-Type,
 * `X-Vault-Request: true`, the token in X-Vault-Token.
 *  - External Secrets Operator (vault provider, appRole auth): login, read the kv-v2 secret,
 *    check the token with lookup-self, revoke it when the client is closed.
 *  - cert-manager (Vault issuer, appRole auth): login with the role id and a secret id read
 *    from a Kubernetes secret, then use the token (here: lookup-self and a kv read) and
 *    renew it while it lives.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { enable } from './helpers.js';

interface GoAnswer {
  status: number;
  body: any;
}

/** One request as the Go client makes it. */
function goRequest(address: string, method: string, path: string, token?: string, body?: unknown): Promise<GoAnswer> {
  const url = new URL(`/v1/${path}`, address);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { 'X-Vault-Request': 'true', 'User-Agent': 'Go-http-client/1.1' };
  if (token) headers['X-Vault-Token'] = token;
  if (payload) headers['Content-Length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('operator call sequences with AppRole', () => {
  let t: TestServer;
  let roleId: string;
  let secretId: string;
  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'approle', 'approle');
    await t.root.write('sys/policies/acl/eso', { policy: 'path "secret/data/apps/*" { capabilities = ["read"] }\npath "secret/metadata/apps/*" { capabilities = ["read", "list"] }' });
    await t.root.write('auth/approle/role/eso', { token_policies: 'eso', token_ttl: '1h', token_max_ttl: '4h' });
    roleId = (await t.root.read('auth/approle/role/eso/role-id'))!.data!.role_id as string;
    secretId = (await t.root.write('auth/approle/role/eso/secret-id', {}))!.data!.secret_id as string;
    await t.root.write('secret/data/apps/db', { data: { username: 'svc', password: 'from-coffer' } });
  });
  after(() => t.close());

  it('External Secrets Operator: login, read, lookup-self, revoke-self', async () => {
    const loginAnswer = await goRequest(t.address, 'PUT', 'auth/approle/login', undefined, { role_id: roleId, secret_id: secretId });
    assert.equal(loginAnswer.status, 200, JSON.stringify(loginAnswer.body));
    const token = loginAnswer.body.auth.client_token as string;
    assert.equal(loginAnswer.body.auth.renewable, true);
    assert.equal(loginAnswer.body.auth.lease_duration, 3600);

    const secret = await goRequest(t.address, 'GET', 'secret/data/apps/db', token);
    assert.equal(secret.status, 200);
    assert.deepEqual(secret.body.data.data, { username: 'svc', password: 'from-coffer' });

    const self = await goRequest(t.address, 'GET', 'auth/token/lookup-self', token);
    assert.equal(self.status, 200);
    assert.deepEqual(self.body.data.policies, ['default', 'eso']);
    assert.deepEqual(self.body.data.meta, { role_name: 'eso' });
    assert.equal(self.body.data.path, 'auth/approle/login');

    assert.equal((await goRequest(t.address, 'GET', 'secret/data/other', token)).status, 403, 'only what the policy grants');
    assert.equal((await goRequest(t.address, 'PUT', 'auth/token/revoke-self', token)).status, 204);
    assert.equal((await goRequest(t.address, 'GET', 'secret/data/apps/db', token)).status, 403);
  });

  it('cert-manager: login, use, renew-self within the role’s max TTL', async () => {
    const loginAnswer = await goRequest(t.address, 'POST', 'auth/approle/login', undefined, { role_id: roleId, secret_id: secretId });
    assert.equal(loginAnswer.status, 200);
    const token = loginAnswer.body.auth.client_token as string;
    assert.equal((await goRequest(t.address, 'GET', 'auth/token/lookup-self', token)).status, 200);
    const renewed = await goRequest(t.address, 'PUT', 'auth/token/renew-self', token, { increment: '24h' });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.ok(renewed.body.auth.lease_duration <= 4 * 3600 && renewed.body.auth.lease_duration > 3 * 3600, String(renewed.body.auth.lease_duration));
    assert.equal((await goRequest(t.address, 'GET', 'secret/data/apps/db', token)).status, 200);
  });

  it('answers a wrong secret id as the Go client expects an error: 400 with errors', async () => {
    const bad = await goRequest(t.address, 'PUT', 'auth/approle/login', undefined, { role_id: roleId, secret_id: 'not-it' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { errors: ['invalid role or secret ID'] });
  });
});
