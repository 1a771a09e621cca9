import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, nodeVaultTrust, startDevServer, type TestServer } from '../helpers/dev-server.js';

type Vault = Record<string, (...args: unknown[]) => Promise<Record<string, any>>> & { token: string };
const nodeVault = createRequire(import.meta.url)('node-vault') as (opts: Record<string, unknown>) => Vault;
const status = (code: number) => (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === code;
const b64 = (s: string) => Buffer.from(s).toString('base64');

for (const scheme of SCHEMES) describe(`node-vault transit helpers against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  let vault: Vault;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
    vault = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address, token: t.rootToken });
    await vault.mount({ mount_point: 'transit', type: 'transit' });
  });
  after(() => t.close());

  it('creates, reads and lists keys', async () => {
    await vault.transitCreateKey({ name: 'nv-key' });
    await vault.transitCreateKey({ name: 'nv-chacha', type: 'chacha20-poly1305' });
    const key = await vault.transitReadKey({ name: 'nv-key' });
    assert.equal(key.data.type, 'aes256-gcm96');
    assert.equal((await vault.transitReadKey({ name: 'nv-chacha' })).data.type, 'chacha20-poly1305');
    assert.deepEqual((await vault.transitListKeys()).data.keys, ['nv-chacha', 'nv-key']);
  });

  it('encrypts, decrypts and rewraps with encryptData, decryptData and rewrapData', async () => {
    const enc = await vault.encryptData({ name: 'nv-key', plaintext: b64('node-vault secret') });
    assert.match(enc.data.ciphertext, /^vault:v1:/);
    const dec = await vault.decryptData({ name: 'nv-key', ciphertext: enc.data.ciphertext });
    assert.equal(Buffer.from(dec.data.plaintext, 'base64').toString(), 'node-vault secret');
    await vault.write('transit/keys/nv-key/rotate', {});
    const rewrapped = await vault.rewrapData({ name: 'nv-key', ciphertext: enc.data.ciphertext });
    assert.match(rewrapped.data.ciphertext, /^vault:v2:/);
    await assert.rejects(vault.decryptData({ name: 'nv-key', ciphertext: 'vault:v1:AAAA' }), status(400));
  });

  it('deletes a key once deletion is allowed', async () => {
    await assert.rejects(vault.transitDeleteKey({ name: 'nv-key' }), status(400));
    await vault.write('transit/keys/nv-key/config', { deletion_allowed: true });
    await vault.transitDeleteKey({ name: 'nv-key' });
    await assert.rejects(vault.transitReadKey({ name: 'nv-key' }), status(404));
  });
});
