/**
 * The PKI engine's issuers over HTTP: root generation of every key type, issuers and keys by
 * id, name and `default`, the public CA paths, and each certificate checked by real openssl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki issuers over HTTP', () => {
  let x: PkiTest;
  let rootId = '';
  before(async () => {
    x = await startPki();
  });
  after(() => x.t.close());

  it('generates an internal root that openssl reads as a CA with key identifiers', async () => {
    const d = await x.write('root/generate/internal', { common_name: 'Coffer Root', ttl: '87600h', issuer_name: 'root-a', key_name: 'key-a', organization: 'Coffer' });
    assert.equal(d.private_key, undefined);
    assert.match(d.serial_number, /^[0-9a-f]{2}(:[0-9a-f]{2}){7,}$/);
    assert.equal(d.issuer_name, 'root-a');
    assert.equal(d.key_name, 'key-a');
    rootId = d.issuer_id;
    const text = openssl(['x509', '-noout', '-text'], d.certificate).out;
    assert.match(text, /Subject: O\s?=\s?Coffer, CN\s?=\s?Coffer Root/);
    assert.match(text, /CA:TRUE/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    assert.match(text, /Subject Key Identifier/);
    assert.match(text, /Authority Key Identifier/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    const days = (d.expiration * 1000 - Date.now()) / 86400e3;
    assert.ok(days > 3649 && days < 3651, String(days));
    const root = x.file('root-a.pem', d.certificate);
    assert.equal(openssl(['verify', '-CAfile', root, root]).status, 0);
  });

  it('makes each key type and size, and answers an exported key once only', async () => {
    for (const [key_type, key_bits, expect] of [
      ['rsa', 3072, /Public-Key: \(3072 bit\)/],
      ['rsa', 4096, /Public-Key: \(4096 bit\)/],
      ['ec', 256, /NIST CURVE: P-256/],
      ['ec', 384, /NIST CURVE: P-384/],
      ['ec', 521, /NIST CURVE: P-521/],
      ['ed25519', 0, /ED25519/],
    ] as const) {
      const d = await x.write('root/generate/exported', { common_name: `r-${key_type}-${key_bits}`, key_type, key_bits });
      assert.equal(d.private_key_type, key_type);
      // Vault's default private_key_format: PKCS#1 for RSA, SEC1 for EC, PKCS#8 for ed25519.
      assert.match(d.private_key, { rsa: /^-----BEGIN RSA PRIVATE KEY-----/, ec: /^-----BEGIN EC PRIVATE KEY-----/, ed25519: /^-----BEGIN PRIVATE KEY-----/ }[key_type]);
      assert.match(openssl(['x509', '-noout', '-text'], d.certificate).out, expect);
      // The key matches the certificate: openssl derives the same public key from both.
      const fromKey = openssl(['pkey', '-pubout'], d.private_key).out;
      const fromCert = openssl(['x509', '-noout', '-pubkey'], d.certificate).out;
      assert.equal(fromKey, fromCert);
      const key = await x.read(`key/${d.key_id}`);
      assert.deepEqual(key, { key_id: d.key_id, key_name: '', key_type });
      const issuer = await x.read(`issuer/${d.issuer_id}`);
      assert.equal(JSON.stringify(issuer).includes('PRIVATE KEY'), false);
    }
  });

  it('lists issuers and keys with key_info, the first root being the default', async () => {
    const issuers = await x.call('LIST', 'pki/issuers');
    ok(issuers);
    const data = issuers.body!.data!;
    assert.equal(data.keys.length, 7);
    assert.deepEqual(data.key_info[rootId].issuer_name, 'root-a');
    assert.equal(data.key_info[rootId].is_default, true);
    assert.equal(Object.values(data.key_info).filter((i: any) => i.is_default).length, 1);
    const keys = (await x.call('LIST', 'pki/keys')).body!.data!;
    assert.equal(keys.keys.length, 7);
    assert.ok(Object.values(keys.key_info).some((k: any) => k.key_name === 'key-a'));
  });

  it('reads an issuer by id, name and default, and its pem, der and json forms', async () => {
    const byId = await x.read(`issuer/${rootId}`);
    assert.deepEqual(await x.read('issuer/root-a'), byId);
    assert.deepEqual(await x.read('issuer/default'), byId);
    assert.equal(byId.issuer_id, rootId);
    assert.deepEqual(byId.ca_chain, [byId.certificate]);
    assert.equal(byId.leaf_not_after_behavior, 'err');
    assert.equal((await x.read('key/key-a')).key_id, byId.key_id);
    assert.equal((await x.read('key/default')).key_id, byId.key_id);

    const pem = await x.fetchRaw('issuer/root-a/pem');
    assert.equal(pem.status, 200);
    assert.equal(pem.type, 'application/pem-certificate-chain');
    assert.equal(pem.body.toString(), byId.certificate);
    const der = await x.fetchRaw(`issuer/${rootId}/der`);
    assert.equal(der.type, 'application/pkix-cert');
    assert.equal(openssl(['x509', '-inform', 'DER', '-in', x.file('root.der', der.body), '-noout', '-serial']).status, 0);
    const json = await x.fetchRaw('issuer/default/json');
    assert.deepEqual(JSON.parse(json.body.toString()).data, { certificate: byId.certificate, ca_chain: byId.ca_chain, issuer_id: rootId, issuer_name: 'root-a' });
    // The issuer's settings need a token; its certificate does not.
    assert.equal((await x.fetchRaw(`issuer/${rootId}`)).status, 403);
  });

  it('serves the default CA on the public paths and follows config/issuers', async () => {
    const root = await x.read('issuer/default');
    assert.equal((await x.fetchRaw('ca/pem')).body.toString(), root.certificate);
    assert.equal((await x.fetchRaw('ca_chain')).body.toString(), root.certificate);
    assert.equal((await x.fetchRaw('ca')).type, 'application/pkix-cert');
    assert.equal(JSON.parse((await x.fetchRaw('cert/ca')).body.toString()).data.certificate, root.certificate);
    assert.deepEqual(JSON.parse((await x.fetchRaw('cert/ca_chain')).body.toString()).data.ca_chain, [root.certificate]);

    assert.deepEqual(await x.read('config/issuers'), { default: rootId, default_follows_latest_issuer: false });
    const other = await x.write('root/generate/internal', { common_name: 'Other Root', issuer_name: 'root-b', key_type: 'ec' });
    assert.equal((await x.write('config/issuers', { default: 'root-b' })).default, other.issuer_id);
    assert.equal((await x.fetchRaw('ca/pem')).body.toString(), other.certificate);
    await x.write('config/issuers', { default: rootId });
  });

  it('gives a name to one of two roots asking for it at once', async () => {
    const results = await Promise.all([1, 2].map(() => x.call('POST', 'pki/root/generate/internal', { common_name: 'race', issuer_name: 'contested', key_type: 'ec' })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400]);
  });

  it('describes its paths in the OpenAPI document and path-help', async () => {
    const res = await x.call('GET', 'sys/internal/specs/openapi');
    ok(res);
    const paths = Object.keys((res.body as any).paths);
    for (const p of ['/pki/root/generate/{type}', '/pki/issuer/{ref}', '/pki/roles/{name}', '/pki/issue/{role}', '/pki/sign/{role}', '/pki/revoke']) assert.ok(paths.includes(p), p);
    ok(await x.call('GET', 'pki/issue/web?help=1'));
  });

  it('answers 400 naming the problem for bad input, never a 500', async () => {
    bad(await x.call('POST', 'pki/root/generate/kms', { common_name: 'x' }), /unsupported type "kms"/);
    bad(await x.call('POST', 'pki/root/generate/internal', {}), /common_name/);
    bad(await x.call('POST', 'pki/root/generate/internal', { common_name: 'x', key_type: 'dsa' }), /unsupported key_type "dsa"/);
    bad(await x.call('POST', 'pki/root/generate/internal', { common_name: 'x', key_type: 'rsa', key_bits: 1024 }), /key_bits 1024/);
    bad(await x.call('POST', 'pki/root/generate/internal', { common_name: 'x', key_type: 'ec', key_bits: 225 }), /key_bits 225/);
    bad(await x.call('POST', 'pki/root/generate/internal', { common_name: 'x', issuer_name: 'root-a' }), /"root-a" is already in use/);
    bad(await x.call('POST', 'pki/root/generate/internal', { common_name: 'x', issuer_name: 'default' }), /reserved/);
    bad(await x.call('POST', 'pki/root/generate/exported', { common_name: 'x', private_key_format: 'jks' }), /unsupported private_key_format "jks"/);
    bad(await x.call('POST', 'pki/root/generate/internal', { common_name: 'x', ttl: '876001h' }), /max lease TTL/);
    bad(await x.call('GET', 'pki/issuer/nope'), /unable to find issuer "nope"/);
    bad(await x.call('GET', 'pki/key/nope'), /unable to find key "nope"/);
    bad(await x.call('POST', 'pki/config/issuers', { default: 'nope' }), /unable to find issuer "nope"/);
  });
});
