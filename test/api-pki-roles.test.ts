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
      allowed_domains_template: false,
      allow_subdomains: false,
      allow_glob_domains: false,
      allow_bare_domains: false,
      allow_localhost: true,
      allow_any_name: false,
      allow_wildcard_certificates: true,
      enforce_hostnames: true,
      allow_ip_sans: true,
      allowed_uri_sans: [],
      allowed_uri_sans_template: false,
      allowed_other_sans: [],
      allowed_serial_numbers: [],
      allowed_user_ids: [],
      server_flag: true,
      client_flag: true,
      code_signing_flag: false,
      email_protection_flag: false,
      key_type: 'rsa',
      key_bits: 2048,
      signature_bits: 256,
      use_pss: false,
      key_usage: ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment'],
      ext_key_usage: [],
      ext_key_usage_oids: [],
      ttl: 0,
      max_ttl: 0,
      not_before_duration: 30,
      not_after: '',
      organization: [],
      ou: [],
      country: [],
      locality: [],
      province: [],
      street_address: [],
      postal_code: [],
      no_store: false,
      no_store_metadata: false,
      generate_lease: false,
      require_cn: true,
      cn_validations: ['email', 'hostname'],
      use_csr_common_name: true,
      use_csr_sans: true,
      policy_identifiers: [],
      basic_constraints_valid_for_non_ca: false,
      issuer_ref: 'default',
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
    bad(await x.call('POST', 'pki/roles/r', { key_type: 'rsa', key_bits: 256 }), /key_bits 256 for key_type rsa/);
    bad(await x.call('POST', 'pki/roles/r', { key_type: 'any', key_bits: 2048 }), /key_bits 2048 does not fit key_type any/);
    bad(await x.call('POST', 'pki/roles/r', { signature_bits: 333 }), /signature_bits 333/);
    bad(await x.call('POST', 'pki/roles/r', { ext_key_usage_oids: '1.3.6.1.5.5.7.3.1,banana' }), /ext_key_usage_oids: "banana" is not an OID/);
    bad(await x.call('POST', 'pki/roles/r', { policy_identifiers: '1..2' }), /policy_identifiers: "1\.\.2" is not an OID/);
    bad(await x.call('POST', 'pki/roles/r', { allowed_other_sans: '1.2.3;UTF8' }), /allowed_other_sans/);
    bad(await x.call('POST', 'pki/roles/r', { cn_validations: 'email,phone' }), /cn_validations: unknown value "phone"/);
    bad(await x.call('POST', 'pki/roles/r', { cn_validations: 'email,disabled' }), /cn_validations: "disabled" cannot be combined/);
    bad(await x.call('POST', 'pki/roles/r', { not_after: 'next tuesday' }), /not_after "next tuesday"/);
    bad(await x.call('POST', 'pki/roles/r', { generate_lease: true, no_store: true }), /generate_lease and no_store/);
    assert.equal((await x.call('GET', 'pki/roles/r')).status, 404);
  });

  it('fills signature_bits from the key: the curve\'s hash for EC, none for ed25519', async () => {
    await x.write('roles/e384', { key_type: 'ec', key_bits: 384 });
    assert.deepEqual([(await x.read('roles/e384')).key_bits, (await x.read('roles/e384')).signature_bits], [384, 384]);
    await x.write('roles/ed', { key_type: 'ed25519' });
    assert.deepEqual([(await x.read('roles/ed')).key_bits, (await x.read('roles/ed')).signature_bits], [0, 0]);
    await x.write('roles/any', { key_type: 'any' });
    assert.equal((await x.read('roles/any')).key_bits, 0);
  });

  it('patches only the fields sent, checks the result as a whole, and 404s for a missing role', async () => {
    await x.write('roles/p', { allowed_domains: 'example.com', allow_subdomains: true, ttl: '1h', max_ttl: '2h', organization: 'Acme' });
    const patch = (body: Record<string, unknown>) => x.t.root.raw('PATCH', 'pki/roles/p', body);
    const res = await patch({ allow_glob_domains: true, key_type: 'ec' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = await x.read('roles/p');
    assert.deepEqual([r.allowed_domains, r.allow_subdomains, r.allow_glob_domains, r.ttl, r.organization, r.key_type, r.key_bits, r.signature_bits], [['example.com'], true, true, 3600, ['Acme'], 'ec', 256, 256]);
    // A patch that would break the role changes nothing.
    bad(await patch({ ttl: '3h' }), /ttl \(10800s\) may not be longer than max_ttl \(7200s\)/);
    bad(await patch({ key_usage: 'Teleport' }), /unknown key_usage "Teleport"/);
    assert.equal((await x.read('roles/p')).ttl, 3600);
    assert.equal((await patch({ ttl: '30m' })).status, 200);
    assert.equal((await x.read('roles/p')).ttl, 1800);
    assert.equal((await x.t.root.raw('PATCH', 'pki/roles/none', { ttl: '1h' })).status, 404);
  });
});
