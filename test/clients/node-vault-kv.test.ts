import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, nodeVaultTrust, startDevServer, type TestServer } from '../helpers/dev-server.js';

type Vault = Record<string, (...args: unknown[]) => Promise<Record<string, any>>> & { token: string };
const nodeVault = createRequire(import.meta.url)('node-vault') as (opts: Record<string, unknown>) => Vault;
const status = (code: number) => (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === code;

for (const scheme of SCHEMES) describe(`node-vault kv v2 against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  let vault: Vault;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
    vault = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address, token: t.rootToken });
  });
  after(() => t.close());

  it('writes versions, reads each, and enforces check-and-set', async () => {
    const first = await vault.write('secret/data/svc/db', { data: { password: 'one' } });
    assert.equal(first.data.version, 1);
    await vault.write('secret/data/svc/db', { data: { password: 'two' }, options: { cas: 1 } });
    await assert.rejects(vault.write('secret/data/svc/db', { data: { password: 'x' }, options: { cas: 1 } }), status(400));
    assert.equal((await vault.read('secret/data/svc/db')).data.data.password, 'two');
    assert.equal((await vault.read('secret/data/svc/db?version=1')).data.data.password, 'one');
  });

  it('patches with a JSON merge patch (node-vault’s update sends PATCH)', async () => {
    const patched = await vault.update('secret/data/svc/db', { data: { user: 'svc', password: null } });
    assert.equal(patched.data.version, 3);
    assert.deepEqual((await vault.read('secret/data/svc/db')).data.data, { user: 'svc' });
  });

  it('lists metadata with the LIST verb and reads it', async () => {
    assert.deepEqual((await vault.list('secret/metadata/svc')).data.keys, ['db']);
    const meta = await vault.read('secret/metadata/svc/db');
    assert.equal(meta.data.current_version, 3);
    assert.deepEqual(Object.keys(meta.data.versions), ['1', '2', '3']);
  });

  it('soft-deletes, undeletes and destroys versions, then deletes everything', async () => {
    await vault.delete('secret/data/svc/db');
    await assert.rejects(vault.read('secret/data/svc/db'), status(404));
    await vault.write('secret/undelete/svc/db', { versions: [3] });
    assert.deepEqual((await vault.read('secret/data/svc/db')).data.data, { user: 'svc' });
    await vault.destroySecretVersions({ mount_point: 'secret', path: 'svc/db', versions: [1] });
    assert.equal((await vault.read('secret/metadata/svc/db')).data.versions['1'].destroyed, true);
    await vault.delete('secret/metadata/svc/db');
    await assert.rejects(vault.read('secret/metadata/svc/db'), status(404));
  });
});
