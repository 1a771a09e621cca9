import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, nodeVaultTrust, startDevServer, type TestServer } from '../helpers/dev-server.js';

type Vault = Record<string, (...args: unknown[]) => Promise<Record<string, any>>> & { token: string };
const nodeVault = createRequire(import.meta.url)('node-vault') as (opts: Record<string, unknown>) => Vault;
const status = (code: number) => (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === code;

for (const scheme of SCHEMES) describe(`node-vault response wrapping against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  let vault: Vault;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
    vault = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address, token: t.rootToken });
    await vault.write('secret/data/nv', { data: { password: 'nv-s3cret' } });
  });
  after(() => t.close());

  const wrapHeader = (ttl: string) => ({ headers: { 'X-Vault-Wrap-TTL': ttl } });

  it('reads wrapped with a request header and unwraps with unwrap({ token }), once', async () => {
    const wrapped = await vault.read('secret/data/nv', wrapHeader('60s'));
    assert.equal(wrapped.data, null);
    assert.equal(wrapped.wrap_info.ttl, 60);
    const opened = await vault.unwrap({ token: wrapped.wrap_info.token });
    assert.equal(opened.data.data.password, 'nv-s3cret');
    await assert.rejects(vault.unwrap({ token: wrapped.wrap_info.token }), status(400));
  });

  it('unwraps with the wrapping token as the client’s own token', async () => {
    const created = await vault.write('auth/token/create', { policies: ['default'] }, wrapHeader('2m'));
    const receiver = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address, token: created.wrap_info.token });
    const opened = await receiver.unwrap();
    assert.equal(opened.auth.accessor, created.wrap_info.wrapped_accessor);
    await assert.rejects(receiver.unwrap(), status(400));
  });
});
