/** PKI roles over HTTP: Vault's defaults, replacement on write, list, delete, and the 400s. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bad, ok, startPki, type PkiTest } from './helpers/pki.js';

describe('pki roles over HTTP', () => {
  let x: PkiTest;
  before(async () => {
    x = await startPki();
  });
  after(() => x.t.close());

  it("fills in Vault's defaults for every field left out", async () => {
    await x.write('roles/web', { allowed_domains: 'example.com' });
    const r = await x.read('roles/web');
    assert.deepEqual(r, {
      allowed_domains: ['example.com'],
      allow_subdomains: false,
      allow_glob_domains: false,
      allow_bare_domains: false,
      allow_localhost: true,
      allow_any_name: false,
      enforce_hostnames: true,
      allow_ip_sans: true,
      server_flag: true,
      client_flag: true,
      key_type: 'rsa',
      key_bits: 2048,
      ttl: 0,
      max_ttl: 0,
      not_before_duration: 30,
      organization: [],
      ou: [],
      country: [],
      no_store: false,
      require_cn: true,
      use_csr_common_name: true,
      use_csr_sans: true,
      issuer_ref: 'default',
      key_usage: ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment'],
      ext_key_usage: [],
    });
  });

  it('replaces the role on write, lists and deletes', async () => {
    await x.write('roles/web', { allowed_domains: ['a.example', 'b.example'], allow_subdomains: true, key_type: 'ec', ttl: '1h', max_ttl: '24h', organization: 'Acme' });
    const r = await x.read('roles/web');
    assert.deepEqual([r.allowed_domains, r.allow_subdomains, r.key_type, r.key_bits, r.ttl, r.max_ttl, r.organization], [['a.example', 'b.example'], true, 'ec', 256, 3600, 86400, ['Acme']]);
    await x.write('roles/other', {});
    assert.deepEqual((await x.call('LIST', 'pki/roles')).body!.data!.keys, ['other', 'web']);
    ok(await x.call('DELETE', 'pki/roles/other'));
    assert.equal((await x.call('GET', 'pki/roles/other')).status, 404);
    assert.deepEqual((await x.call('LIST', 'pki/roles')).body!.data!.keys, ['web']);
  });

  it('answers 400 naming the bad field', async () => {
    bad(await x.call('POST', 'pki/roles/r', { key_type: 'dsa' }), /unsupported key_type "dsa"/);
    bad(await x.call('POST', 'pki/roles/r', { key_type: 'ec', key_bits: 2048 }), /key_bits 2048/);
    bad(await x.call('POST', 'pki/roles/r', { key_usage: 'Teleport' }), /unknown key_usage "Teleport"/);
    bad(await x.call('POST', 'pki/roles/r', { ext_key_usage: 'Flying' }), /unknown ext_key_usage "Flying"/);
    bad(await x.call('POST', 'pki/roles/r', { ttl: '2h', max_ttl: '1h' }), /max_ttl/);
    bad(await x.call('POST', 'pki/roles/r', { ttl: 'soon' }), /ttl/);
    bad(await x.call('POST', 'pki/roles/bad%20name', {}), /invalid role name "bad name"/);
    assert.equal((await x.call('GET', 'pki/roles/r')).status, 404);
  });
});
