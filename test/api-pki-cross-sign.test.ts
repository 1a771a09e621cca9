/**
 * Cross-signing and the legacy import path: root/sign-self-issued signs another CA's
 * self-issued certificate (checked by the real openssl: a leaf of that CA then verifies
 * against this mount's root), and config/ca imports a bundle as issuers/import/bundle does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki cross-signing and config/ca', () => {
  let x: PkiTest;
  let rootPem = '';
  before(async () => {
    x = await startPki();
    rootPem = (await x.write('root/generate/internal', { common_name: 'Coffer Root', ttl: '8760h', key_type: 'ec' })).certificate;
  });
  after(() => x.t.close());

  /** A CA made by openssl elsewhere, and a leaf it signed. */
  function outsideCa(name: string) {
    const key = `${x.dir}/${name}.key`;
    const ca = `${x.dir}/${name}.pem`;
    assert.equal(openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', ca, '-subj', `/CN=${name}`, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']).status, 0);
    const leafKey = `${x.dir}/${name}-leaf.key`;
    const csr = `${x.dir}/${name}-leaf.csr`;
    const leaf = `${x.dir}/${name}-leaf.pem`;
    assert.equal(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', leafKey, '-out', csr, '-subj', '/CN=leaf.outside.test']).status, 0);
    assert.equal(openssl(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', key, '-CAcreateserial', '-out', leaf, '-days', '5']).status, 0);
    return { ca, key, leaf, caPem: openssl(['x509', '-in', ca]).out };
  }

  it('cross-signs a self-issued CA so its leaves verify against this root, keeping subject, key and validity', async () => {
    const outside = outsideCa('Outside CA');
    const root = x.file('root.pem', rootPem);
    assert.notEqual(openssl(['verify', '-CAfile', root, outside.leaf]).status, 0, 'the outside leaf must not verify before the cross-signature');
    const d = await x.write('root/sign-self-issued', { certificate: outside.caPem });
    assert.equal(d.issuing_ca.trim(), rootPem.trim());
    const cross = x.file('cross.pem', d.certificate);
    const text = openssl(['x509', '-noout', '-subject', '-issuer', '-enddate', '-pubkey', '-in', cross]).out;
    const original = openssl(['x509', '-noout', '-subject', '-issuer', '-enddate', '-pubkey', '-in', outside.ca]).out;
    assert.match(text, /issuer=CN\s?=\s?Coffer Root/);
    assert.equal(text.replace(/issuer=.*\n/, ''), original.replace(/issuer=.*\n/, ''));
    assert.equal(openssl(['verify', '-CAfile', root, cross]).status, 0);
    const r = openssl(['verify', '-CAfile', root, '-untrusted', cross, outside.leaf]);
    assert.equal(r.status, 0, r.out);
  });

  it('refuses a certificate that is not a self-issued CA, and a body that is not a certificate', async () => {
    const leafPem = (await x.write('root/generate/exported', { common_name: 'Second', issuer_name: 'second', ttl: '24h' })).certificate;
    ok(await x.call('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, issuer_ref: 'second' }));
    const issued = await x.write('issue/web', { common_name: 'a.example.com', ttl: '1h' });
    bad(await x.call('POST', 'pki/root/sign-self-issued', { certificate: issued.certificate }), /not self-issued/);
    bad(await x.call('POST', 'pki/root/sign-self-issued', { certificate: 'not a pem' }), /not a PEM X\.509 certificate/);
    const selfSignedLeaf = `${x.dir}/ss-leaf.pem`;
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${x.dir}/ss.key`, '-out', selfSignedLeaf, '-subj', '/CN=ss.example.com', '-days', '2', '-addext', 'basicConstraints=critical,CA:FALSE']);
    bad(await x.call('POST', 'pki/root/sign-self-issued', { certificate: openssl(['x509', '-in', selfSignedLeaf]).out }), /not a CA/);
    assert.ok(leafPem);
  });

  it('needs sudo, as in Vault', async () => {
    ok(await x.call('PUT', 'sys/policies/acl/pki-signer', { policy: 'path "pki/*" { capabilities = ["create", "update"] }' }));
    const token = ((await x.call('POST', 'auth/token/create', { policies: ['pki-signer'] })).body!.auth as { client_token: string }).client_token;
    const outside = outsideCa('Sudo CA');
    assert.equal((await x.call('POST', 'pki/root/sign-self-issued', { certificate: outside.caPem }, x.t.client(token))).status, 403);
    assert.equal((await x.call('POST', 'pki/issuer/default/sign-self-issued', { certificate: outside.caPem }, x.t.client(token))).status, 403);
  });

  it('imports a CA bundle through config/ca, the path older clients use', async () => {
    const outside = outsideCa('Imported CA');
    const bundle = outside.caPem + openssl(['pkey', '-in', outside.key]).out;
    const d = await x.write('config/ca', { pem_bundle: bundle });
    assert.equal(d.imported_issuers.length, 1);
    assert.equal(d.imported_keys.length, 1);
    const again = await x.write('config/ca', { pem_bundle: bundle });
    assert.deepEqual(again.imported_issuers ?? [], []);
    bad(await x.call('POST', 'pki/config/ca', { pem_bundle: 'garbage' }), /pem_bundle/);
  });
});
