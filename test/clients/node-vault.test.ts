import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logging/logger.js';
import { decodeTokenWithOtp } from '../../src/seal/otp.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { SCHEMES, nodeVaultTrust, listenerCertificate, listenerConfig } from '../helpers/dev-server.js';

// node-vault is CommonJS with no types worth importing: a thin typed view of what we call.
type Vault = Record<string, (...args: unknown[]) => Promise<Record<string, any>>> & { token: string };
const nodeVault = createRequire(import.meta.url)('node-vault') as (opts: Record<string, unknown>) => Vault;

for (const scheme of SCHEMES) describe(`node-vault (npm) against a real server over ${scheme}`, () => {
  let server: RunningServer;
  let vault: Vault;
  let keys: string[] = [];

  before(async () => {
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off', ...listenerConfig(scheme) }, undefined, silentLogger);
    vault = nodeVault({ ...nodeVaultTrust({ tls: listenerCertificate(scheme) }), apiVersion: 'v1', endpoint: server.address });
  });
  after(() => server.close());

  it('initializes and unseals', async () => {
    assert.equal((await vault.initialized()).initialized, false);
    const init = await vault.init({ secret_shares: 1, secret_threshold: 1 });
    keys = init.keys;
    vault.token = init.root_token;
    const status = await vault.unseal({ secret_shares: 1, key: keys[0] });
    assert.equal(status.sealed, false);
    const health = await vault.health();
    assert.equal(health.initialized, true);
    assert.equal(health.sealed, false);
  });

  it('mounts an engine and finds it in sys/mounts, top level and under data', async () => {
    await vault.mount({ mount_point: 'app', type: 'kv', description: 'app secrets' });
    const mounts = await vault.mounts();
    assert.equal(mounts['app/'].type, 'kv');
    assert.equal(mounts.data['app/'].description, 'app secrets');
    const auths = await vault.auths();
    assert.equal(auths['token/'].type, 'token');
  });

  it('writes, reads, lists (LIST verb) and deletes secrets', async () => {
    await vault.write('app/db', { user: 'svc', password: 'pw' });
    assert.deepEqual((await vault.read('app/db')).data, { user: 'svc', password: 'pw' });
    assert.deepEqual((await vault.list('app')).data.keys, ['db']);
    // The LIST rewrite closes its connection; the next request must still go through.
    assert.deepEqual((await vault.list('app/')).data.keys, ['db']);
    await vault.delete('app/db');
    await assert.rejects(vault.read('app/db'), (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === 404);
  });

  it('manages policies and tokens', async () => {
    await vault.addPolicy({ name: 'app-read', rules: 'path "app/*" { capabilities = ["read", "list"] }' });
    assert.match((await vault.getPolicy({ name: 'app-read' })).rules, /app\/\*/);
    assert.ok((await vault.policies()).policies.includes('app-read'));
    const rootToken = vault.token;
    const created = await vault.tokenCreate({ policies: ['app-read'], ttl: '10m' });
    // node-vault switches its own client to any token it creates.
    assert.equal(vault.token, created.auth.client_token);
    vault.token = rootToken;
    const child = nodeVault({ ...nodeVaultTrust({ tls: listenerCertificate(scheme) }), apiVersion: 'v1', endpoint: server.address, token: created.auth.client_token });
    const self = await child.tokenLookupSelf();
    assert.deepEqual(self.data.policies, ['app-read', 'default']);
    await assert.rejects(child.write('app/x', { a: 1 }), (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === 403);
    await vault.tokenRevoke({ token: created.auth.client_token });
    await assert.rejects(child.tokenLookupSelf());
  });

  it('generates a new root token with an OTP', async () => {
    const attempt = await vault.generateRootInit({});
    assert.equal(attempt.started, true);
    const done = await vault.generateRootUpdate({ key: keys[0], nonce: attempt.nonce });
    assert.equal(done.complete, true);
    const token = decodeTokenWithOtp(done.encoded_token, attempt.otp);
    const root = nodeVault({ ...nodeVaultTrust({ tls: listenerCertificate(scheme) }), apiVersion: 'v1', endpoint: server.address, token });
    assert.deepEqual((await root.tokenLookupSelf()).data.policies, ['root']);
  });

  it('seals', async () => {
    await vault.seal();
    assert.equal((await vault.status()).sealed, true);
  });
});
