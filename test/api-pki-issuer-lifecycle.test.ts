/**
 * An issuer's life over HTTP: renamed, restricted (usage), its lifetime rule changed
 * (leaf_not_after_behavior), its AIA settings stored; deleted, with the default following;
 * keys renamed and deleted only when free; roots rotated and replaced; DELETE root. And the
 * paths that pick an issuer per request: issuer/:ref/issue|sign and sign-verbatim, each
 * certificate read by the real openssl.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki issuer lifecycle over HTTP', () => {
  let x: PkiTest;
  let main: Record<string, any>;
  before(async () => {
    x = await startPki();
    main = await x.write('root/generate/internal', { common_name: 'Main Root', ttl: '720h', issuer_name: 'main', key_name: 'main-key', key_type: 'ec' });
    await x.write('roles/web', { allow_any_name: true, key_type: 'ec', max_ttl: '8760h' });
  });
  after(() => x.t.close());

  const patch = async (path: string, body: unknown) => ok(await x.call('PATCH', `pki/${path}`, body)).body!.data!;
  const days = (expiration: number) => Math.round((expiration * 1000 - Date.now()) / 86400e3);
  const text = (pem: string) => openssl(['x509', '-noout', '-text'], pem).out;
  const verifies = (caPem: string, pem: string) => openssl(['verify', '-CAfile', x.file('ca.pem', caPem), x.file('leaf.pem', pem)]).status === 0;

  it('renames an issuer, refusing a name another issuer has', async () => {
    const other = await x.write('root/generate/internal', { common_name: 'Other', issuer_name: 'other', key_type: 'ec' });
    const d = await x.write('issuer/main', { issuer_name: 'primary' });
    assert.equal(d.issuer_name, 'primary');
    assert.equal((await x.read('issuer/primary')).issuer_id, main.issuer_id);
    bad(await x.call('GET', 'pki/issuer/main'), /unable to find issuer "main"/);
    bad(await x.call('POST', 'pki/issuer/primary', { issuer_name: 'other' }), /issuer name "other" is already in use/);
    bad(await x.call('POST', 'pki/issuer/primary', { issuer_name: 'not ok' }), /invalid issuer_name/);
    bad(await x.call('POST', 'pki/issuer/primary', { issuer_name: 'default' }), /reserved/);
    bad(await x.call('POST', 'pki/issuer/nope', { issuer_name: 'x' }), /unable to find issuer "nope"/);
    assert.equal((await x.read(`issuer/${main.issuer_id}`)).issuer_name, 'primary');
    ok(await x.call('DELETE', `pki/issuer/${other.issuer_id}`));
  });

  it('stores usage, the AIA fields and the CRL signature algorithm; PATCH changes only what it sends, POST resets the rest', async () => {
    const d = await x.write('issuer/primary', {
      issuer_name: 'primary',
      usage: 'read-only,issuing-certificates,crl-signing',
      issuing_certificates: 'http://pki.example/ca',
      crl_distribution_points: ['http://pki.example/crl'],
      ocsp_servers: 'http://pki.example/ocsp',
      enable_aia_url_templating: false,
      revocation_signature_algorithm: 'ECDSAWithSHA384',
    });
    assert.equal(d.usage, 'crl-signing,issuing-certificates,read-only');
    assert.deepEqual(d.issuing_certificates, ['http://pki.example/ca']);
    assert.deepEqual(d.crl_distribution_points, ['http://pki.example/crl']);
    assert.deepEqual(d.ocsp_servers, ['http://pki.example/ocsp']);
    assert.equal(d.revocation_signature_algorithm, 'ECDSAWithSHA384');
    const patched = await patch('issuer/primary', { ocsp_servers: 'http://ocsp2.example' });
    assert.deepEqual(patched.ocsp_servers, ['http://ocsp2.example']);
    assert.deepEqual(patched.issuing_certificates, ['http://pki.example/ca']);
    assert.equal(patched.usage, 'crl-signing,issuing-certificates,read-only');
    assert.deepEqual(await x.read('issuer/primary'), patched);
    // POST sets every field: what it leaves out goes back to its default, as in Vault.
    const posted = await x.write('issuer/primary', { issuer_name: 'primary', leaf_not_after_behavior: 'truncate' });
    assert.equal(posted.leaf_not_after_behavior, 'truncate');
    assert.deepEqual(posted.ocsp_servers, []);
    assert.deepEqual(posted.issuing_certificates, []);
    assert.equal(posted.usage, 'crl-signing,issuing-certificates,ocsp-signing,read-only');
    assert.equal(posted.revocation_signature_algorithm, '');
    await patch('issuer/primary', { leaf_not_after_behavior: 'err' });
    bad(await x.call('POST', 'pki/issuer/primary', { usage: 'read-only,signing' }), /unknown usage "signing"/);
    bad(await x.call('POST', 'pki/issuer/primary', { revocation_signature_algorithm: 'SHA256WithRSA' }), /does not fit this issuer's ec key/);
    bad(await x.call('POST', 'pki/issuer/primary', { revocation_signature_algorithm: 'MD5' }), /unknown revocation_signature_algorithm/);
    // The AIA URLs go into every certificate the issuer signs: held to config/urls' rules, nothing stored.
    bad(await x.call('PATCH', 'pki/issuer/primary', { ocsp_servers: 'not a url' }), /invalid URL found in Authority Information Access \(AIA\) parameter ocsp_servers/);
    assert.deepEqual((await x.read('issuer/primary')).ocsp_servers, []);
    bad(await x.call('POST', 'pki/issuer/primary', { leaf_not_after_behavior: 'sometimes' }), /leaf_not_after_behavior/);
  });

  it('refuses to issue from an issuer whose usage lacks issuing-certificates, naming it', async () => {
    await patch('issuer/primary', { usage: 'read-only,crl-signing' });
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'a.example' }), /issuer "primary" \([0-9a-f-]+\) may not issue certificates/);
    await patch('issuer/primary', { usage: 'read-only,issuing-certificates,crl-signing,ocsp-signing' });
    ok(await x.call('POST', 'pki/issue/web', { common_name: 'a.example', ttl: '1h' }));
  });

  it('honours leaf_not_after_behavior: err refuses, truncate clamps to the issuer, permit goes past it', async () => {
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'a.example', ttl: '2000h' }), /beyond the expiration of the CA certificate/);
    await patch('issuer/primary', { leaf_not_after_behavior: 'truncate' });
    const t = await x.write('issue/web', { common_name: 'a.example', ttl: '2000h' });
    assert.equal(t.expiration, main.expiration);
    await patch('issuer/primary', { leaf_not_after_behavior: 'permit' });
    const p = await x.write('issue/web', { common_name: 'a.example', ttl: '2000h' });
    assert.equal(days(p.expiration), Math.round(2000 / 24));
    assert.ok(p.expiration > main.expiration);
    await patch('issuer/primary', { leaf_not_after_behavior: 'err' });
    assert.equal((await x.read('issuer/primary')).leaf_not_after_behavior, 'err');
  });

  it('issues and signs with the issuer named in the path, not the role\'s', async () => {
    const second = await x.write('root/rotate/internal', { common_name: 'Second Root', issuer_name: 'second', key_type: 'ec' });
    const leaf = await x.write('issuer/second/issue/web', { common_name: 'b.example', ttl: '1h' });
    assert.match(text(leaf.certificate), /Issuer: CN\s?=\s?Second Root/);
    assert.ok(verifies(second.certificate, leaf.certificate));
    assert.ok(!verifies(main.certificate, leaf.certificate));
    const key = x.file('c.key', '');
    const csrFile = x.file('c.csr', '');
    assert.equal(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=c.example', '-keyout', key, '-out', csrFile]).status, 0);
    const signed = await x.write(`issuer/${second.issuer_id}/sign/web`, { csr: readFileSync(csrFile, 'utf8'), ttl: '1h' });
    assert.ok(verifies(second.certificate, signed.certificate));
    bad(await x.call('POST', 'pki/issuer/nope/issue/web', { common_name: 'b.example' }), /unable to find issuer "nope"/);
  });

  it('signs a CSR verbatim: its whole subject and SANs, the key usages asked for', async () => {
    const key = x.file('v.key', '');
    const csrFile = x.file('v.csr', '');
    const r = openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/C=NL/O=Verbatim BV/OU=Ops/CN=Jane Doe', '-addext', 'subjectAltName=DNS:v.example.net,IP:192.0.2.7', '-keyout', key, '-out', csrFile]);
    assert.equal(r.status, 0, r.out);
    const csr = readFileSync(csrFile, 'utf8');
    const d = await x.write('sign-verbatim', { csr, ttl: '2h', key_usage: 'DigitalSignature', ext_key_usage: 'ClientAuth,EmailProtection' });
    const t = text(d.certificate);
    assert.match(t, /Subject: C\s?=\s?NL, O\s?=\s?Verbatim BV, OU\s?=\s?Ops, CN\s?=\s?Jane Doe/);
    assert.match(t, /DNS:v\.example\.net, IP Address:192\.0\.2\.7/);
    assert.doesNotMatch(t, /DNS:Jane Doe/);
    assert.match(t, /X509v3 Key Usage: critical\s+Digital Signature\n/);
    assert.match(t, /TLS Web Client Authentication, E-mail Protection/);
    assert.ok(verifies(main.certificate, d.certificate));
    assert.equal(Math.round((d.expiration * 1000 - Date.now()) / 60e3), 120);
    assert.equal((await x.read(`cert/${d.serial_number}`)).certificate, d.certificate);

    // With a role, the role's max_ttl caps it; with an issuer in the path, that issuer signs.
    await x.write('roles/short', { allow_any_name: true, key_type: 'any', max_ttl: '30m' });
    const short = await x.write('sign-verbatim/short', { csr, ttl: '5h' });
    assert.equal(Math.round((short.expiration * 1000 - Date.now()) / 60e3), 30);
    const bySecond = await x.write('issuer/second/sign-verbatim', { csr, ttl: '1h' });
    assert.match(text(bySecond.certificate), /Issuer: CN\s?=\s?Second Root/);
    ok(await x.call('POST', 'pki/issuer/second/sign-verbatim/short', { csr }));
    // The answer formats of issue and sign: der is base64 DER, pem_bundle the certificate and its chain.
    const asDer = await x.write('sign-verbatim', { csr, ttl: '1h', format: 'der' });
    assert.equal(Buffer.from(asDer.certificate, 'base64')[0], 0x30);
    const bundle = await x.write('sign-verbatim', { csr, ttl: '1h', format: 'pem_bundle' });
    assert.equal(bundle.certificate.match(/BEGIN CERTIFICATE/g).length, 2);
    bad(await x.call('POST', 'pki/sign-verbatim', { csr, format: 'jks' }), /unsupported format "jks"/);

    // A CSR whose signature does not verify proves nothing about who holds the key.
    const der = Buffer.from(csr.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    der[der.length - 3] ^= 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    bad(await x.call('POST', 'pki/sign-verbatim', { csr: tampered }), /the CSR signature does not verify/);
    bad(await x.call('POST', 'pki/sign-verbatim', { csr, key_usage: 'Sorcery' }), /unknown key_usage "Sorcery"/);
    bad(await x.call('POST', 'pki/sign-verbatim', { csr, ext_key_usage: 'Sorcery' }), /unknown ext_key_usage "Sorcery"/);
    bad(await x.call('POST', 'pki/sign-verbatim/nope', { csr }), /unknown role: nope/);
  });

  it('renames keys and deletes them only when no issuer uses them', async () => {
    const renamed = await x.write('key/main-key', { key_name: 'primary-key' });
    assert.equal(renamed.key_id, main.key_id);
    assert.equal((await x.read('key/primary-key')).key_id, main.key_id);
    const lone = await x.write('intermediate/generate/internal', { common_name: 'lone', key_name: 'lone', key_type: 'ec' });
    bad(await x.call('POST', 'pki/key/lone', { key_name: 'primary-key' }), /key name "primary-key" is already in use/);
    bad(await x.call('DELETE', 'pki/key/primary-key'), /key "primary-key" is in use by issuer\(s\) primary/);
    ok(await x.call('GET', 'pki/key/primary-key'));
    ok(await x.call('DELETE', `pki/key/${lone.key_id}`));
    bad(await x.call('GET', `pki/key/${lone.key_id}`), /unable to find key/);
  });

  it('rotates a root without changing the default, then replaces the default with it', async () => {
    const next = await x.write('root/rotate/internal', { common_name: 'Next Root', issuer_name: 'next', key_type: 'ec', ttl: '1000h' });
    assert.equal((await x.read('config/issuers')).default, main.issuer_id);
    const before = await x.write('issue/web', { common_name: 'c.example', ttl: '1h' });
    assert.ok(verifies(main.certificate, before.certificate));
    const replaced = await x.write('root/replace', {});
    assert.equal(replaced.default, next.issuer_id);
    assert.equal((await x.fetchRaw('ca/pem')).body.toString(), next.certificate);
    const afterLeaf = await x.write('issue/web', { common_name: 'c.example', ttl: '1h' });
    assert.ok(verifies(next.certificate, afterLeaf.certificate));
    bad(await x.call('POST', 'pki/root/replace', { default: 'nope' }), /unable to find issuer "nope"/);
    bad(await x.call('POST', 'pki/root/rotate/internal', { common_name: 'x', issuer_name: 'next' }), /"next" is already in use/);
  });

  it('deleting the default issuer leaves no default, and issuing then says so', async () => {
    const res = ok(await x.call('DELETE', 'pki/issuer/next'));
    assert.match((res.body?.warnings ?? []).join(' '), /no default issuer/);
    assert.equal((await x.read('config/issuers')).default, '');
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'c.example' }), /no default issuer/);
    bad(await x.call('GET', 'pki/issuer/next'), /unable to find issuer "next"/);
    // Its key is kept, as in Vault, and may now be deleted.
    ok(await x.call('GET', 'pki/key/' + (await x.call('LIST', 'pki/keys')).body!.data!.keys[0]));
    // Deleting again is done already.
    assert.equal((await x.call('DELETE', 'pki/issuer/next')).status, 204);
  });

  it('DELETE root removes every issuer and key, and needs sudo', async () => {
    ok(await x.call('PUT', 'sys/policies/acl/pki-admin', { policy: 'path "pki/*" { capabilities = ["create", "read", "update", "delete", "list"] }' }));
    const token = ((await x.call('POST', 'auth/token/create', { policies: ['pki-admin'] })).body!.auth as { client_token: string }).client_token;
    assert.equal((await x.call('DELETE', 'pki/root', undefined, x.t.client(token))).status, 403);
    ok(await x.call('GET', 'pki/issuer/primary', undefined, x.t.client(token)));
    assert.equal((await x.call('DELETE', 'pki/root')).status, 204);
    assert.equal((await x.call('LIST', 'pki/issuers')).status, 404);
    assert.equal((await x.call('LIST', 'pki/keys')).status, 404);
    assert.equal((await x.fetchRaw('ca/pem')).status, 204);
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'c.example' }), /no default issuer/);
  });
});
