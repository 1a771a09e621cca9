/**
 * Security invariant: audit entries hold no plaintext secret, token or password. A broad
 * workload runs with a file device on; then the whole log is searched for every secret
 * value, token and accessor the workload used. A log_raw device beside it must hold the
 * same values, so the search is shown to be able to find them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { leasingRegistry } from '../helpers/leasing-backend.js';
import { createToken, mountKv1, type Auth } from './helpers.js';

type Body = Record<string, any>;

describe('Audit entries hold no plaintext secret, token or password', () => {
  let t: TestServer;
  let dir: string;
  let hashedLog = '';
  let rawLog = '';
  /** Every value that must never appear in the hashed log. */
  const secrets = new Set<string>();
  const secret = (label: string) => {
    const value = `${label}-${Math.random().toString(36).slice(2, 10)}-plaintext`;
    secrets.add(value);
    return value;
  };
  const token = (auth: Auth) => {
    secrets.add(auth.client_token);
    secrets.add(auth.accessor);
    return auth;
  };

  before(async () => {
    t = await startDevServer({}, { extraBackends: leasingRegistry });
    dir = mkdtempSync(join(tmpdir(), 'coffer-no-plaintext-'));
    hashedLog = join(dir, 'hashed.log');
    rawLog = join(dir, 'raw.log');
    assert.equal((await t.root.raw('PUT', 'sys/audit/hashed', { type: 'file', options: { file_path: hashedLog } })).status, 204);
    assert.equal((await t.root.raw('PUT', 'sys/audit/raw', { type: 'file', options: { file_path: rawLog, log_raw: true } })).status, 204);
    // Credential headers are hashed even when an operator asks for them in clear.
    await t.root.raw('PUT', 'sys/config/auditing/request-headers/x-vault-token', { hmac: false });
    await t.root.raw('PUT', 'sys/config/auditing/request-headers/authorization', { hmac: false });
    await runWorkload();
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ok(res: Promise<{ status: number; body: Body | null }>, expected = [200, 204]): Promise<Body | null> {
    const r = await res;
    assert.ok(expected.includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function runWorkload(): Promise<void> {
    secrets.add(t.rootToken);
    secrets.add((await t.root.read('auth/token/lookup-self'))!.data!.accessor as string);
    const root = t.root;

    // kv version 1 and 2: writes, reads, patch, versions, lists, a query-string value.
    await mountKv1(root);
    await ok(root.raw('PUT', 'kv1/app/db', { password: secret('kv1-password'), nested: { list: [secret('kv1-array-item'), 7] } }));
    await ok(root.raw('GET', 'kv1/app/db'));
    await ok(root.raw('LIST', 'kv1/app'));
    await ok(root.raw('POST', 'secret/data/app/api', { data: { api_key: secret('kv2-api-key'), user: secret('kv2-user') } }));
    await ok(root.raw('POST', 'secret/data/app/api', { data: { api_key: secret('kv2-api-key-v2') }, options: { cas: 1 } }));
    await ok(root.raw('PATCH', 'secret/data/app/api', { data: { extra: secret('kv2-patched') } }, { 'Content-Type': 'application/merge-patch+json' }));
    await ok(root.raw('GET', 'secret/data/app/api?version=1'));
    await ok(root.raw('GET', 'secret/data/app/api'));
    await ok(root.raw('GET', `secret/data/app/api?unused=${secret('query-value')}`));
    await ok(root.raw('GET', 'secret/subkeys/app/api'));
    await ok(root.raw('LIST', 'secret/metadata/app'));
    await ok(root.raw('POST', 'secret/metadata/app/api', { custom_metadata: { owner: secret('kv2-custom-metadata') } }));

    // Tokens: create, look up (self, by value, by accessor), renew, revoke.
    await root.write('sys/policies/acl/worker', { policy: `# ${secret('policy-comment')}\npath "cubbyhole/*" { capabilities = ["create", "read", "update", "list"] }\npath "secret/data/app/*" { capabilities = ["read"] }` });
    const worker = token(await createToken(root, { policies: ['worker'], ttl: '1h', meta: { team: 'audit' } }));
    const chosen = secret('chosen-token-id');
    const chosenAuth = token(await createToken(root, { policies: ['default'], id: chosen }));
    assert.equal(chosenAuth.client_token, chosen);
    const w = t.client(worker.client_token);
    await ok(w.raw('GET', 'auth/token/lookup-self'));
    await ok(w.raw('GET', 'secret/data/app/api'));
    await ok(root.raw('POST', 'auth/token/lookup', { token: worker.client_token }));
    await ok(root.raw('POST', 'auth/token/lookup-accessor', { accessor: worker.accessor }));
    await ok(root.raw('POST', 'auth/token/renew', { token: worker.client_token, increment: '2h' }));
    await ok(w.raw('POST', 'auth/token/renew-self', {}));
    const doomed = token(await createToken(root, { policies: ['default'] }));
    await ok(root.raw('POST', 'auth/token/revoke', { token: doomed.client_token }));
    const doomed2 = token(await createToken(root, { policies: ['default'] }));
    await ok(root.raw('POST', 'auth/token/revoke-accessor', { accessor: doomed2.accessor }));

    // Cubbyhole with the worker's token, through the Authorization header too.
    await ok(w.raw('PUT', 'cubbyhole/private', { pin: secret('cubbyhole-pin') }));
    await ok(w.raw('GET', 'cubbyhole/private'));
    await ok(t.anon.raw('GET', 'cubbyhole/private', undefined, { Authorization: `Bearer ${worker.client_token}` }));

    // Refused requests: a made-up token, a revoked one, a denied path, input echoed by an error.
    const madeUp = secret('made-up-token');
    await ok(t.client(madeUp).raw('GET', 'secret/data/app/api'), [403]);
    await ok(t.client(doomed.client_token).raw('GET', 'auth/token/lookup-self'), [403]);
    await ok(w.raw('GET', 'kv1/app/db'), [403]);
    await ok(root.raw('POST', 'sys/mounts/odd', { type: secret('engine-type-echoed') }), [400]);
    await ok(root.raw('POST', 'auth/token/create', { policies: ['default'], ttl: secret('ttl-echoed') }), [400]);
    await ok(root.raw('POST', 'sys/audit-hash/hashed', { input: secret('audit-hash-input') }));

    // Response wrapping: the wrapped secret, the wrapping token and the token it wraps.
    const wrapTtl = { 'X-Vault-Wrap-TTL': '5m' };
    await ok(root.raw('PUT', 'kv1/app/wrapped', { password: secret('wrapped-password') }));
    const wrapped = (await ok(root.raw('GET', 'kv1/app/wrapped', undefined, wrapTtl)))!.wrap_info as Record<string, string>;
    secrets.add(wrapped.token!);
    secrets.add(wrapped.accessor!);
    await ok(root.raw('POST', 'sys/wrapping/lookup', { token: wrapped.token }));
    await ok(root.raw('POST', 'sys/wrapping/unwrap', { token: wrapped.token }));
    const wrappedToken = (await ok(root.raw('POST', 'auth/token/create', { policies: ['default'] }, wrapTtl)))!.wrap_info as Record<string, string>;
    secrets.add(wrappedToken.token!);
    secrets.add(wrappedToken.accessor!);
    const opened = (await ok(t.client(wrappedToken.token).raw('POST', 'sys/wrapping/unwrap', {})))!;
    token(opened.auth as Auth);
    const rewrapped = (await ok(root.raw('POST', 'sys/wrapping/wrap', { note: secret('wrap-endpoint-data') }, wrapTtl)))!.wrap_info as Record<string, string>;
    secrets.add(rewrapped.token!);
    const next = (await ok(root.raw('POST', 'sys/wrapping/rewrap', { token: rewrapped.token })))!.wrap_info as Record<string, string>;
    secrets.add(next.token!);

    // Leases: dynamic credentials issued, renewed and revoked.
    await ok(root.raw('POST', 'sys/mounts/db', { type: 'leasing' }));
    await ok(root.raw('POST', 'db/config', { ttl: '1h' }));
    const creds = (await ok(root.raw('GET', 'db/creds/app')))!;
    secrets.add((creds.data as Record<string, string>).password!);
    await ok(root.raw('PUT', 'sys/leases/renew', { lease_id: creds.lease_id, increment: 600 }));
    await ok(root.raw('PUT', 'sys/leases/revoke', { lease_id: creds.lease_id }));
  }

  it('writes none of them into the hashed log', () => {
    const text = readFileSync(hashedLog, 'utf8');
    const lines = text.split('\n').filter((l) => l !== '').length;
    assert.ok(lines > 70, `the workload was recorded (${lines} lines)`);
    const found = [...secrets].filter((s) => text.includes(s));
    assert.deepEqual(found, [], `plaintext in the audit log: ${found.join(', ')}`);
  });

  it('finds them in a log_raw log of the same workload (the search can fail)', () => {
    const text = readFileSync(rawLog, 'utf8');
    const missing = [...secrets].filter((s) => !text.includes(s));
    assert.deepEqual(missing, [], `values the raw log should hold: ${missing.join(', ')}`);
  });
});
