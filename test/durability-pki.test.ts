/**
 * PKI state on disk: an issuer's key is only ever written through the barrier (the SQLite
 * files hold no line of it), and after kill -9 and a restart the same root keeps issuing
 * certificates openssl chains to it, with the earlier leaf still stored by serial.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cleanUpDurableServers, client, initialize, killHard, sqliteConfig, startDurable, unseal } from './helpers/durable-server.js';
import { openssl } from './helpers/pki.js';

after(cleanUpDurableServers);

describe('durability: pki issuers on sqlite storage', () => {
  it('keeps the root key encrypted at rest, and issuing from it after kill -9', async () => {
    const cfg = await sqliteConfig();
    let server = await startDurable(cfg);
    const { keys, rootToken } = await initialize(server, 1, 1);
    await unseal(server, keys);
    let call = client(server, rootToken);
    assert.equal((await call('POST', 'sys/mounts/pki', { type: 'pki' })).status, 204);
    const root = (await call('POST', 'pki/root/generate/exported', { common_name: 'Durable Root', key_type: 'ec', ttl: '720h' })).json.data;
    assert.equal((await call('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true })).status, 200);
    const first = (await call('POST', 'pki/issue/web', { common_name: 'a.example.com', ttl: '1h' })).json.data;
    await killHard(server);

    const dataDir = join(cfg.dbPath, '..');
    const onDisk = readdirSync(dataDir).map((f) => readFileSync(join(dataDir, f)).toString('latin1')).join('');
    assert.ok(onDisk.length > 0);
    const keyLines = root.private_key.split('\n').filter((l: string) => l && !l.startsWith('-----'));
    for (const l of keyLines) assert.equal(onDisk.includes(l), false, 'a line of the root key is on disk in clear');
    assert.equal(onDisk.includes('Durable Root'), false, 'the certificate is stored encrypted too');

    server = await startDurable(cfg);
    await unseal(server, keys);
    call = client(server, rootToken);
    assert.equal((await call('GET', 'pki/issuer/default')).json.data.certificate, root.certificate);
    assert.equal((await call('GET', `pki/cert/${first.serial_number}`)).json.data.certificate, first.certificate);
    const second = (await call('POST', 'pki/issue/web', { common_name: 'b.example.com', ttl: '1h' })).json.data;
    const rootFile = join(cfg.dir, 'root.pem');
    writeFileSync(rootFile, root.certificate);
    for (const [name, leaf] of [['first', first], ['second', second]]) {
      const file = join(cfg.dir, `${name}.pem`);
      writeFileSync(file, leaf.certificate);
      const v = openssl(['verify', '-CAfile', rootFile, file]);
      assert.equal(v.status, 0, v.out);
    }
    await killHard(server);
  });
});
