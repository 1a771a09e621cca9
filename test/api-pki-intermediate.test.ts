/**
 * An intermediate CA over HTTP, as an operator builds one with two mounts: a key and CSR
 * from intermediate/generate, signed by the root mount's root/sign-intermediate, installed
 * with intermediate/set-signed, then leaves under it. Every certificate and CSR is read by
 * the real openssl, and the chain root → intermediate → leaf is checked with openssl verify.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki intermediate CAs over HTTP', () => {
  let x: PkiTest;
  let root: Record<string, any>;
  let csr = '';
  let keyId = '';
  let intermediate: Record<string, any>;
  const int = async (path: string, body: unknown = {}) => ok(await x.call('POST', `pki_int/${path}`, body)).body!.data!;
  const intRead = async (path: string) => ok(await x.call('GET', `pki_int/${path}`)).body!.data!;

  before(async () => {
    x = await startPki();
    ok(await x.t.root.raw('POST', 'sys/mounts/pki_int', { type: 'pki', config: { max_lease_ttl: '43800h' } }));
    root = await x.write('root/generate/internal', { common_name: 'Coffer Root CA', ttl: '87600h', issuer_name: 'root' });
  });
  after(() => x.t.close());

  it('makes a key and a CSR with every subject field asked for, keeping the key with no issuer', async () => {
    const d = await int('intermediate/generate/internal', {
      common_name: 'Coffer Intermediate',
      organization: 'Coffer',
      ou: 'PKI',
      country: 'NL',
      locality: 'Delft',
      province: 'Zuid-Holland',
      street_address: 'Markt 1',
      postal_code: '2611',
      alt_names: 'int.example.com',
      ip_sans: '10.1.2.3',
      key_type: 'ec',
      key_bits: 384,
      key_name: 'int-key',
      add_basic_constraints: true,
    });
    assert.equal(d.private_key, undefined);
    assert.equal(d.key_name, 'int-key');
    csr = d.csr;
    keyId = d.key_id;
    const checked = openssl(['req', '-verify', '-noout', '-text'], csr);
    assert.equal(checked.status, 0, checked.out);
    assert.match(checked.out, /C\s?=\s?NL, O\s?=\s?Coffer, OU\s?=\s?PKI, L\s?=\s?Delft, ST\s?=\s?Zuid-Holland, street\s?=\s?Markt 1, postalCode\s?=\s?2611, CN\s?=\s?Coffer Intermediate/);
    assert.match(checked.out, /DNS:int\.example\.com, IP Address:10\.1\.2\.3/);
    assert.match(checked.out, /CA:TRUE/);
    assert.match(checked.out, /NIST CURVE: P-384/);
    assert.deepEqual(await intRead(`key/${keyId}`), { key_id: keyId, key_name: 'int-key', key_type: 'ec' });
    // A key, but no issuer yet: nothing can be issued from this mount.
    assert.equal((await x.call('LIST', 'pki_int/issuers')).status, 404);
  });

  it('answers an exported key once, and makes a CSR from a key it holds with type existing', async () => {
    const d = await int('intermediate/generate/exported', { common_name: 'Exported', key_type: 'rsa', key_bits: 3072, private_key_format: 'pkcs8' });
    assert.match(d.private_key, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(openssl(['pkey', '-pubout'], d.private_key).out, openssl(['req', '-noout', '-pubkey'], d.csr).out);
    const again = await int('intermediate/generate/existing', { common_name: 'Again', key_ref: 'int-key' });
    assert.equal(again.key_id, keyId);
    assert.equal(openssl(['req', '-noout', '-pubkey'], again.csr).out, openssl(['req', '-noout', '-pubkey'], csr).out);
    const der = await int('intermediate/generate/existing', { common_name: 'Der', key_ref: keyId, format: 'der' });
    assert.equal(openssl(['req', '-inform', 'DER', '-in', x.file('der.csr', Buffer.from(der.csr, 'base64')), '-noout', '-subject']).status, 0);
  });

  it("signs the CSR as a CA no longer lived than the root, stored by serial and revocable", async () => {
    bad(await x.call('POST', 'pki/root/sign-intermediate', { csr, common_name: 'Too long', ttl: '87700h' }), /beyond the expiration of the CA certificate/);
    const d = await x.write('root/sign-intermediate', { csr, common_name: 'Coffer Intermediate', ttl: '43800h', max_path_length: 1, permitted_dns_domains: 'example.com', organization: 'Coffer' });
    intermediate = d;
    assert.equal(d.issuing_ca, root.certificate);
    assert.deepEqual(d.ca_chain, [d.certificate, root.certificate]);
    const text = openssl(['x509', '-noout', '-text'], d.certificate).out;
    assert.match(text, /Subject: O\s?=\s?Coffer, CN\s?=\s?Coffer Intermediate/);
    assert.match(text, /Issuer: CN\s?=\s?Coffer Root CA/);
    assert.match(text, /CA:TRUE, pathlen:1/);
    assert.match(text, /Permitted:\s+DNS:example\.com/);
    assert.equal(openssl(['x509', '-noout', '-pubkey'], d.certificate).out, openssl(['req', '-noout', '-pubkey'], csr).out);
    const rootFile = x.file('root.pem', root.certificate);
    assert.equal(openssl(['verify', '-CAfile', rootFile, x.file('int.pem', d.certificate)]).status, 0);
    const stored = await x.read(`cert/${d.serial_number}`);
    assert.equal(stored.certificate, d.certificate);

    // One signed only to be revoked: it shows up on the root's CRL.
    const spare = await x.write('issuer/root/sign-intermediate', { csr, common_name: 'Spare', ttl: '1h' });
    await x.write('revoke', { serial_number: spare.serial_number });
    const crl = openssl(['crl', '-noout', '-text'], (await x.fetchRaw('crl/pem')).body.toString()).out;
    assert.match(crl, new RegExp(spare.serial_number.replace(/:/g, '').toUpperCase()));
  });

  it('installs the signed certificate with its chain as an issuer on the key the CSR came from', async () => {
    const d = await int('intermediate/set-signed', { certificate: intermediate.certificate + root.certificate });
    assert.equal(d.imported_issuers.length, 2);
    assert.equal(d.imported_keys, null);
    assert.deepEqual(d.existing_keys, null);
    const [intId, rootId] = d.imported_issuers;
    assert.deepEqual(d.mapping, { [intId]: keyId, [rootId]: '' });
    const issuer = await intRead('issuer/default');
    assert.equal(issuer.issuer_id, intId);
    assert.equal(issuer.key_id, keyId);
    assert.deepEqual(issuer.ca_chain, [intermediate.certificate, root.certificate]);
    // Setting it again changes nothing.
    const again = await int('intermediate/set-signed', { certificate: intermediate.certificate });
    assert.deepEqual(again.existing_issuers, [intId]);
    assert.equal(again.imported_issuers, null);
  });

  it('issues leaves that openssl verifies through the intermediate to the root', async () => {
    await int('roles/web', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '24h' });
    const leaf = await int('issue/web', { common_name: 'www.example.com', ttl: '1h' });
    assert.deepEqual(leaf.ca_chain, [intermediate.certificate, root.certificate]);
    const v = openssl(['verify', '-CAfile', x.file('root.pem', root.certificate), '-untrusted', x.file('int.pem', intermediate.certificate), x.file('leaf.pem', leaf.certificate)]);
    assert.equal(v.status, 0, v.out);
    assert.match(v.out, /leaf\.pem: OK/);
    // Without the intermediate openssl cannot build the chain: the check above means something.
    assert.notEqual(openssl(['verify', '-CAfile', x.file('root.pem', root.certificate), x.file('leaf.pem', leaf.certificate)]).status, 0);
  });

  it('takes the subject and SANs from the CSR with use_csr_values, and keeps path lengths below the signer', async () => {
    const d = await x.write('root/sign-intermediate', { csr, use_csr_values: true, ttl: '1h', max_path_length: 0 });
    const text = openssl(['x509', '-noout', '-text'], d.certificate).out;
    assert.match(text, /Subject: C\s?=\s?NL, O\s?=\s?Coffer, OU\s?=\s?PKI, L\s?=\s?Delft/);
    assert.match(text, /DNS:int\.example\.com, IP Address:10\.1\.2\.3/);
    assert.match(text, /CA:TRUE, pathlen:0/);
    // Installed where its key is, it is an issuer with path length 0: it may not sign a CA below it.
    const set = await int('intermediate/set-signed', { certificate: d.certificate });
    assert.equal(set.mapping[set.imported_issuers[0]], keyId);
    bad(await x.call('POST', `pki_int/issuer/${set.imported_issuers[0]}/sign-intermediate`, { csr, common_name: 'x' }), /max path length of 0/);
  });

  it('answers 400 naming the problem for bad input, and changes nothing', async () => {
    bad(await x.call('POST', 'pki_int/intermediate/generate/kms', { common_name: 'x' }), /unsupported type "kms"/);
    bad(await x.call('POST', 'pki_int/intermediate/generate/internal', {}), /common_name/);
    bad(await x.call('POST', 'pki_int/intermediate/generate/internal', { common_name: 'x', key_name: 'int-key' }), /"int-key" is already in use/);
    bad(await x.call('POST', 'pki_int/intermediate/generate/internal', { common_name: 'x', ip_sans: 'not-an-ip' }), /"not-an-ip" is not a valid IP address/);
    bad(await x.call('POST', 'pki_int/intermediate/generate/existing', { common_name: 'x' }), /key_ref/);
    bad(await x.call('POST', 'pki_int/intermediate/generate/existing', { common_name: 'x', key_ref: 'nope' }), /unable to find key "nope"/);
    bad(await x.call('POST', 'pki/root/sign-intermediate', { csr: 'not a csr', common_name: 'x' }), /csr is not a PEM certificate signing request/);
    bad(await x.call('POST', 'pki/root/sign-intermediate', { csr, common_name: 'x', issuer_ref: 'nope' }), /unable to find issuer "nope"/);
    bad(await x.call('POST', 'pki/issuer/nope/sign-intermediate', { csr, common_name: 'x' }), /unable to find issuer "nope"/);
    bad(await x.call('POST', 'pki/root/sign-intermediate', { csr, common_name: 'x', permitted_dns_domains: 'bad domain' }), /permitted_dns_domains/);
    const before = (await x.call('LIST', 'pki_int/issuers')).body!.data!.keys.length;
    // A certificate whose key this mount does not hold: the root's.
    bad(await x.call('POST', 'pki_int/intermediate/set-signed', { certificate: root.certificate }), /does not match any key of this mount/);
    bad(await x.call('POST', 'pki_int/intermediate/set-signed', { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }), /block 1 \(CERTIFICATE\) is not a valid certificate/);
    bad(await x.call('POST', 'pki_int/intermediate/set-signed', { certificate: 'hello' }), /holds no PEM block/);
    assert.equal((await x.call('LIST', 'pki_int/issuers')).body!.data!.keys.length, before);
  });
});
