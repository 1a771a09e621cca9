/** node-vault's AppRole and userpass helpers (the README's AppRole example) against a real dev server. */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, nodeVaultTrust, startDevServer, type TestServer } from '../helpers/dev-server.js';

type Vault = Record<string, (...args: unknown[]) => Promise<Record<string, any>>> & { token: string };
const nodeVault = createRequire(import.meta.url)('node-vault') as (opts: Record<string, unknown>) => Vault;
const status = (code: number) => (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === code;

for (const scheme of SCHEMES) describe(`node-vault approle and userpass against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  let vault: Vault;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
    vault = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address, token: t.rootToken });
    await vault.write('secret/data/nv/app', { data: { password: 'nv-s3cret' } });
    await vault.addPolicy({ name: 'nv-read', rules: 'path "secret/data/nv/*" { capabilities = ["read"] }' });
  });
  after(() => t.close());

  it('follows the README: enable approle, add a role, read its role id, make a secret id, log in', async () => {
    await vault.enableAuth({ mount_point: 'approle', type: 'approle', description: 'Approle auth' });
    const auths = await vault.auths();
    assert.equal(auths['approle/'].type, 'approle', 'node-vault looks for approle/ at the top level of sys/auth');
    // node-vault sends only the fields its schema knows: the deprecated `policies`, `period`…
    await vault.addApproleRole({ role_name: 'nv-role', policies: 'nv-read', token_ttl: 600 });
    assert.deepEqual((await vault.approleRoles()).data.keys, ['nv-role']);
    const role = (await vault.getApproleRole({ role_name: 'nv-role' })).data;
    assert.deepEqual(role.token_policies, ['nv-read']);
    assert.deepEqual(role.policies, ['nv-read']);
    assert.equal(role.token_ttl, 600);
    const roleId = (await vault.getApproleRoleId({ role_name: 'nv-role' })).data.role_id;
    const secret = (await vault.getApproleRoleSecret({ role_name: 'nv-role' })).data;
    const accessors = (await vault.approleSecretAccessors({ role_name: 'nv-role' })).data.keys;
    assert.deepEqual(accessors, [secret.secret_id_accessor]);
    assert.equal((await vault.approleSecretLookup({ role_name: 'nv-role', secret_id: secret.secret_id })).data.secret_id_accessor, secret.secret_id_accessor);

    const machine = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address });
    const login = await machine.approleLogin({ role_id: roleId, secret_id: secret.secret_id });
    assert.equal(machine.token, login.auth.client_token, 'tokenSource: the client keeps the login token');
    assert.equal((await machine.read('secret/data/nv/app')).data.data.password, 'nv-s3cret');
    await assert.rejects(machine.read('secret/data/elsewhere'), status(403));

    await vault.approleSecretAccessorDestroy({ role_name: 'nv-role', secret_id_accessor: secret.secret_id_accessor });
    await assert.rejects(nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address }).approleLogin({ role_id: roleId, secret_id: secret.secret_id }), status(400));
    await vault.deleteApproleRole({ role_name: 'nv-role' });
  });

  it('logs in with userpassLogin and keeps the token', async () => {
    await vault.enableAuth({ mount_point: 'userpass', type: 'userpass' });
    await vault.write('auth/userpass/users/nv-user', { password: 'nv-pw', token_policies: 'nv-read' });
    const person = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address });
    const login = await person.userpassLogin({ username: 'nv-user', password: 'nv-pw' });
    assert.deepEqual(login.auth.metadata, { username: 'nv-user' });
    assert.equal((await person.read('secret/data/nv/app')).data.data.password, 'nv-s3cret');
    await assert.rejects(nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address }).userpassLogin({ username: 'nv-user', password: 'wrong' }), status(400));
  });
});
