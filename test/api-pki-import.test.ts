/**
 * Importing CAs made elsewhere, as an operator does with keys and certificates openssl wrote:
 * issuers/import/bundle and issuers/import/cert with keys in PKCS#1, SEC1 and PKCS#8, and
 * keys/import. Leaves issued from an imported CA are checked by openssl verify against the
 * CA file openssl made; bad bundles are refused whole, with the mount unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki imports over HTTP', () => {
  let x: PkiTest;
  before(async () => {
    x = await startPki();
    await x.write('roles/any', { allow_any_name: true, key_type: 'ec', max_ttl: '1h' });
  });
  after(() => x.t.close());

  /** A CA made by openssl: its certificate and its key in the form asked for. */
  const opensslCa = (name: string, keyArgs: string[], opts: { ca?: boolean; form?: 'pkcs1' | 'sec1' | 'pkcs8'; signWith?: { cert: string; key: string } } = {}) => {
    const key = x.file(`${name}.key`, '');
    assert.equal(openssl(['genpkey', ...keyArgs, '-out', key]).status, 0);
    const cert = x.file(`${name}.pem`, '');
    const ext = opts.ca === false ? 'basicConstraints=critical,CA:FALSE' : 'basicConstraints=critical,CA:TRUE';
    const args = opts.signWith
      ? ['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-x509', '-CA', opts.signWith.cert, '-CAkey', opts.signWith.key, '-days', '30', '-addext', ext, '-out', cert]
      : ['req', '-new', '-x509', '-key', key, '-subj', `/CN=${name}`, '-days', '30', '-addext', ext, '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', cert];
    const r = openssl(args);
    assert.equal(r.status, 0, r.out);
    let keyPem = readFileSync(key, 'utf8');
    if (opts.form === 'pkcs1') keyPem = openssl(['rsa', '-traditional', '-in', key]).out.replace(/^writing RSA key\n/m, '');
    if (opts.form === 'sec1') keyPem = openssl(['ec', '-in', key]).out.replace(/^read EC key\nwriting EC key\n/m, '');
    return { certFile: cert, keyFile: key, cert: readFileSync(cert, 'utf8'), key: keyPem };
  };
  const count = async (what: 'issuers' | 'keys') => {
    const r = await x.call('LIST', `pki/${what}`);
    return r.status === 404 ? 0 : r.body!.data!.keys.length;
  };
  const leafVerifies = async (issuerId: string, caFile: string) => {
    const leaf = await x.write(`issuer/${issuerId}/issue/any`, { common_name: 'svc.internal', ttl: '10m' });
    const v = openssl(['verify', '-CAfile', caFile, x.file('leaf.pem', leaf.certificate)]);
    assert.equal(v.status, 0, v.out);
  };

  let rsa: ReturnType<typeof opensslCa>;
  let rsaIssuer = '';
  let rsaKey = '';

  it('imports an RSA CA with its PKCS#1 key and issues leaves openssl verifies against it', async () => {
    rsa = opensslCa('ext-rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { form: 'pkcs1' });
    assert.match(rsa.key, /^-----BEGIN RSA PRIVATE KEY-----/);
    const d = await x.write('issuers/import/bundle', { pem_bundle: rsa.key + rsa.cert });
    assert.equal(d.imported_issuers.length, 1);
    assert.equal(d.imported_keys.length, 1);
    assert.equal(d.existing_issuers, null);
    [rsaIssuer] = d.imported_issuers;
    [rsaKey] = d.imported_keys;
    assert.deepEqual(d.mapping, { [rsaIssuer]: rsaKey });
    // The first issuer of a mount becomes its default.
    assert.equal((await x.read('config/issuers')).default, rsaIssuer);
    const issuer = await x.read(`issuer/${rsaIssuer}`);
    assert.equal(openssl(['x509', '-noout', '-fingerprint'], issuer.certificate).out, openssl(['x509', '-noout', '-fingerprint', '-in', rsa.certFile]).out);
    assert.equal((await x.read(`key/${rsaKey}`)).key_type, 'rsa');
    assert.equal(JSON.stringify(issuer).includes('PRIVATE KEY'), false);
    await leafVerifies(rsaIssuer, rsa.certFile);
  });

  it('lists a bundle imported again as existing, and stores nothing twice', async () => {
    const d = await x.write('issuers/import/bundle', { pem_bundle: rsa.cert + rsa.key });
    assert.equal(d.imported_issuers, null);
    assert.equal(d.imported_keys, null);
    assert.deepEqual(d.existing_issuers, [rsaIssuer]);
    assert.deepEqual(d.existing_keys, [rsaKey]);
    assert.equal(await count('issuers'), 1);
    assert.equal(await count('keys'), 1);
  });

  it('imports EC keys in SEC1 and Ed25519 keys in PKCS#8', async () => {
    const ec = opensslCa('ext-ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], { form: 'sec1' });
    assert.match(ec.key, /^-----BEGIN EC PRIVATE KEY-----/);
    const e = await x.write('issuers/import/bundle', { pem_bundle: ec.cert + ec.key });
    assert.equal((await x.read(`key/${e.imported_keys[0]}`)).key_type, 'ec');
    await leafVerifies(e.imported_issuers[0], ec.certFile);

    const ed = opensslCa('ext-ed', ['-algorithm', 'ED25519']);
    assert.match(ed.key, /^-----BEGIN PRIVATE KEY-----/);
    const d = await x.write('issuers/import/cert', { pem_bundle: ed.key + ed.cert });
    assert.equal((await x.read(`key/${d.imported_keys[0]}`)).key_type, 'ed25519');
    await leafVerifies(d.imported_issuers[0], ed.certFile);
  });

  it('imports a CA certificate without its key, and completes chains when the parent arrives later', async () => {
    const parent = opensslCa('ext-parent', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const child = opensslCa('ext-child', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { signWith: { cert: parent.certFile, key: parent.keyFile } });
    const c = await x.write('issuers/import/bundle', { pem_bundle: child.cert + child.key });
    const childId = c.imported_issuers[0];
    assert.equal((await x.read(`issuer/${childId}`)).ca_chain.length, 1);
    const p = await x.write('issuers/import/cert', { pem_bundle: parent.cert });
    assert.equal(p.imported_keys, null);
    assert.deepEqual(p.mapping, { [p.imported_issuers[0]]: '' });
    assert.equal((await x.read(`issuer/${p.imported_issuers[0]}`)).key_id, '');
    const chain = (await x.read(`issuer/${childId}`)).ca_chain;
    assert.equal(chain.length, 2);
    assert.equal(openssl(['x509', '-noout', '-fingerprint'], chain[1]).out, openssl(['x509', '-noout', '-fingerprint', '-in', parent.certFile]).out);
    // A key-less issuer cannot sign, and says so.
    bad(await x.call('POST', `pki/issuer/${p.imported_issuers[0]}/issue/any`, { common_name: 'a.internal' }), /has no key to sign with/);
    // Its key, imported later, makes it an issuer that signs.
    const k = await x.write('issuers/import/bundle', { pem_bundle: parent.key });
    assert.deepEqual(k.mapping, {});
    assert.equal((await x.read(`issuer/${p.imported_issuers[0]}`)).key_id, k.imported_keys[0]);
    await leafVerifies(p.imported_issuers[0], parent.certFile);
  });

  it('imports a lone key with keys/import, once, and makes a CSR from it', async () => {
    const key = x.file('lone.key', '');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    const pem = readFileSync(key, 'utf8');
    const d = await x.write('keys/import', { key: pem, key_name: 'lone' });
    assert.equal(d.key_name, 'lone');
    assert.equal(d.key_type, 'ec');
    assert.deepEqual(await x.write('keys/import', { key: pem }), d);
    const csr = await x.write('intermediate/generate/existing', { common_name: 'From lone', key_ref: 'lone' });
    assert.equal(openssl(['req', '-noout', '-pubkey'], csr.csr).out, openssl(['pkey', '-pubout', '-in', key]).out);
  });

  it('refuses a bad bundle whole with a 400 naming the problem, storing nothing', async () => {
    const issuers = await count('issuers');
    const keys = await count('keys');
    const other = opensslCa('ext-other', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const leaf = opensslCa('ext-leaf', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { ca: false });
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: 'no pem here' }), /holds no PEM block/);
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----' }), /block 1 \(CERTIFICATE\) is not a valid certificate/);
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: other.cert + '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), /block 2 \(PRIVATE KEY\) is not a readable unencrypted private key/);
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: other.cert + '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n' }), /unsupported PEM type/);
    // A key that belongs to no certificate in the bundle or the mount, beside a good CA.
    const stray = opensslCa('ext-stray', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: other.cert + stray.key }), /matches no certificate in the bundle and no issuer of this mount/);
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: other.cert + leaf.cert + leaf.key }), /"CN=ext-leaf" is not a CA certificate/);
    bad(await x.call('POST', 'pki/issuers/import/bundle', { pem_bundle: stray.key }), /matches no certificate in the bundle and no issuer of this mount/);
    bad(await x.call('POST', 'pki/keys/import', { key: stray.cert }), /not a readable unencrypted private key/);
    bad(await x.call('POST', 'pki/keys/import', { key: stray.key + stray.key }), /exactly one PEM private key/);
    bad(await x.call('POST', 'pki/keys/import', { key: stray.key, key_name: 'lone' }), /"lone" is already in use/);
    bad(await x.call('POST', 'pki/keys/import', { key: stray.key, key_name: 'bad name' }), /invalid key_name/);
    const weak = x.file('weak.key', '');
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', weak]);
    bad(await x.call('POST', 'pki/keys/import', { key: readFileSync(weak, 'utf8') }), /fewer than 2048 bits/);
    assert.equal(await count('issuers'), issuers);
    assert.equal(await count('keys'), keys);
    ok(await x.call('GET', 'pki/issuer/default'));
  });
});
