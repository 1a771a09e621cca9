/**
 * config/crl, delta and per-issuer CRLs, config/urls in issued certificates, and revocation
 * by certificate or with its key, over HTTP and checked with the real openssl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki CRL settings, delta CRLs and AIA URLs over HTTP', () => {
  let x: PkiTest;
  let root = '';
  let issuerId = '';
  before(async () => {
    x = await startPki();
    const r = await x.write('root/generate/internal', { common_name: 'CRL Root', ttl: '8760h', key_type: 'ec' });
    root = x.file('root.pem', r.certificate);
    issuerId = r.issuer_id;
    await x.write('roles/web', { allowed_domains: 'example.com', allow_subdomains: true });
    await x.write('roles/nostore', { allowed_domains: 'example.com', allow_subdomains: true, no_store: true });
  });
  after(() => x.t.close());

  const issue = async (cn: string, role = 'web'): Promise<Record<string, any> & { file: string }> => {
    const leaf = await x.write(`issue/${role}`, { common_name: `${cn}.example.com`, ttl: '1h' });
    return { ...leaf, file: x.file(`${cn}.pem`, leaf.certificate) };
  };
  const fetchPem = async (path: string) => {
    const r = await x.fetchRaw(path);
    assert.equal(r.status, 200, `${path}: ${r.status}`);
    return x.file(`${path.replace(/\//g, '_')}-${Date.now()}-${Math.random()}.pem`, r.body);
  };
  const crlText = (file: string) => openssl(['crl', '-in', file, '-noout', '-text']).out;
  const listed = (file: string, serial: string) => crlText(file).includes(`Serial Number: ${serial.replace(/:/g, '').toUpperCase()}`);
  const periodic = async (aheadSeconds = 0) => {
    const route = x.t.server.core.router.get('pki/')!;
    await route.backend.periodic!({ ...route.base, clock: () => Date.now() + aheadSeconds * 1000 });
  };

  it("reads Vault's defaults from config/crl and refuses inconsistent settings, changing nothing", async () => {
    const d = await x.read('config/crl');
    assert.deepEqual(
      { expiry: d.expiry, disable: d.disable, ocsp_disable: d.ocsp_disable, ocsp_expiry: d.ocsp_expiry, auto_rebuild: d.auto_rebuild, grace: d.auto_rebuild_grace_period, enable_delta: d.enable_delta, delta: d.delta_rebuild_interval },
      { expiry: '72h', disable: false, ocsp_disable: false, ocsp_expiry: '12h', auto_rebuild: false, grace: '12h', enable_delta: false, delta: '15m' },
    );
    bad(await x.call('POST', 'pki/config/crl', { enable_delta: true }), /auto_rebuild/);
    bad(await x.call('POST', 'pki/config/crl', { auto_rebuild: true, auto_rebuild_grace_period: '100h' }), /grace period \(100h\) must be strictly shorter than CRL expiry \(72h\)/);
    bad(await x.call('POST', 'pki/config/crl', { expiry: 'soon' }), /expiry/);
    assert.equal((await x.read('config/crl')).auto_rebuild, false);
  });

  it('honours expiry in the CRL nextUpdate and answers an empty CRL while disabled', async () => {
    await x.write('config/crl', { expiry: '48h' });
    const dates = openssl(['crl', '-in', await fetchPem('crl/pem'), '-noout', '-lastupdate', '-nextupdate']).out;
    const last = Date.parse(/lastUpdate=(.+)/.exec(dates)![1]!);
    const next = Date.parse(/nextUpdate=(.+)/.exec(dates)![1]!);
    assert.equal(next - last, 48 * 3600_000);

    const leaf = await issue('disabled');
    await x.write('config/crl', { disable: true });
    await x.write('revoke', { serial_number: leaf.serial_number });
    const empty = await fetchPem('crl/pem');
    assert.equal(openssl(['crl', '-in', empty, '-noout', '-CAfile', root]).status, 0);
    assert.ok(!listed(empty, leaf.serial_number));
    assert.match(crlText(empty), /No Revoked Certificates/);
    await x.write('config/crl', { disable: false, expiry: '72h' });
    assert.ok(listed(await fetchPem('crl/pem'), leaf.serial_number));
  });

  it('with auto_rebuild, leaves the CRL to the periodic function instead of rebuilding on each revocation', async () => {
    await x.write('config/crl', { auto_rebuild: true });
    const before = openssl(['crl', '-in', await fetchPem('crl/pem'), '-noout', '-crlnumber']).out;
    const leaf = await issue('auto');
    await x.write('revoke', { serial_number: leaf.serial_number });
    const stale = await fetchPem('crl/pem');
    assert.equal(openssl(['crl', '-in', stale, '-noout', '-crlnumber']).out, before);
    assert.ok(!listed(stale, leaf.serial_number));
    await periodic();
    assert.ok(listed(await fetchPem('crl/pem'), leaf.serial_number));
  });

  it('serves delta CRLs naming their base, on crl/delta and per issuer, which openssl verifies and uses to refuse a revoked leaf', async () => {
    await x.write('config/urls', { delta_crl_distribution_points: 'http://pki.example.com/v1/pki/crl/delta' });
    await x.write('config/crl', { auto_rebuild: true, enable_delta: true });
    const keep = await issue('delta-keep');
    const gone = await issue('delta-gone');
    await x.read('crl/rotate');
    await x.write('revoke', { serial_number: gone.serial_number });

    const base = await fetchPem('crl/pem');
    const delta = await fetchPem('crl/delta/pem');
    assert.ok(!listed(base, gone.serial_number), 'not yet in the complete CRL');
    assert.ok(listed(delta, gone.serial_number), 'in the delta CRL at once');
    const baseNumber = /crlNumber=(0x[0-9A-F]+)/i.exec(openssl(['crl', '-in', base, '-noout', '-crlnumber']).out)![1]!;
    const deltaText = crlText(delta);
    assert.match(deltaText, /X509v3 Delta CRL Indicator: critical/);
    assert.match(deltaText, new RegExp(`Delta CRL Indicator: critical\\s+${parseInt(baseNumber, 16)}`));
    assert.match(crlText(base), /Freshest CRL:[\s\S]*URI:http:\/\/pki\.example\.com\/v1\/pki\/crl\/delta/);

    for (const path of ['crl/delta', `issuer/${issuerId}/crl/delta/der`, 'issuer/default/crl/der']) {
      const der = await x.fetchRaw(path);
      assert.equal(der.type, 'application/pkix-crl', path);
      assert.equal(openssl(['crl', '-inform', 'DER', '-in', x.file('c.der', der.body), '-noout', '-CAfile', root]).status, 0, path);
    }
    for (const path of [`issuer/${issuerId}/crl/delta/pem`, `issuer/${issuerId}/crl/pem`]) {
      const r = openssl(['crl', '-in', await fetchPem(path), '-noout', '-CAfile', root]);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /verify OK/);
    }
    const json = await fetch(`${x.t.address}/v1/pki/issuer/default/crl/delta`).then((r) => r.json() as Promise<{ data: { crl: string } }>);
    assert.ok(listed(x.file('json-delta.pem', json.data.crl), gone.serial_number));

    const verify = (leaf: string) => openssl(['verify', '-crl_check', '-use_deltas', '-CRLfile', base, '-CRLfile', delta, '-CAfile', root, leaf]);
    const refused = verify(gone.file);
    assert.notEqual(refused.status, 0, refused.out);
    assert.match(refused.out, /certificate revoked/);
    assert.equal(verify(keep.file).status, 0, verify(keep.file).out);

    // Once the periodic function rebuilds the complete CRL, it lists the revocation itself.
    await periodic(72 * 3600 - 11 * 3600);
    assert.ok(listed(await fetchPem('crl/pem'), gone.serial_number));
    await x.write('config/crl', { auto_rebuild: false, enable_delta: false });
    assert.equal((await x.fetchRaw('crl/delta')).status, 204);
  });

  it('writes config/urls into issued certificates as AIA and CRL distribution points, templated per issuer', async () => {
    bad(await x.call('POST', 'pki/config/urls', { ocsp_servers: 'not a url' }), /invalid URL found in Authority Information Access \(AIA\) parameter ocsp_servers/);
    bad(await x.call('POST', 'pki/config/urls', { enable_templating: true, crl_distribution_points: '{{cluster_path}}/crl' }), /config\/cluster has no path/);
    await x.write('config/urls', {
      issuing_certificates: 'http://pki.example.com/v1/pki/ca',
      crl_distribution_points: ['http://pki.example.com/v1/pki/crl'],
      ocsp_servers: 'http://pki.example.com/v1/pki/ocsp',
    });
    const read = await x.read('config/urls');
    assert.deepEqual(read.ocsp_servers, ['http://pki.example.com/v1/pki/ocsp']);
    const text = openssl(['x509', '-in', (await issue('urls')).file, '-noout', '-text']).out;
    assert.match(text, /Authority Information Access:\s+OCSP - URI:http:\/\/pki\.example\.com\/v1\/pki\/ocsp\s+CA Issuers - URI:http:\/\/pki\.example\.com\/v1\/pki\/ca/);
    assert.match(text, /CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/pki\.example\.com\/v1\/pki\/crl/);

    await x.write('config/cluster', { path: 'https://pki.example.com/v1/pki' });
    await x.write('config/urls', { enable_templating: true, crl_distribution_points: '{{cluster_path}}/issuer/{{issuer_id}}/crl/der', issuing_certificates: '', ocsp_servers: '' });
    const templated = openssl(['x509', '-in', (await issue('templated')).file, '-noout', '-text']).out;
    assert.match(templated, new RegExp(`URI:https://pki\\.example\\.com/v1/pki/issuer/${issuerId}/crl/der`));
    assert.doesNotMatch(templated, /Authority Information Access/);

    // An issuer's own AIA settings take the place of the mount's.
    ok(await x.call('PATCH', 'pki/issuer/default', { ocsp_servers: 'http://own.example.com/ocsp' }));
    const own = openssl(['x509', '-in', (await issue('own-aia')).file, '-noout', '-text']).out;
    assert.match(own, /OCSP - URI:http:\/\/own\.example\.com\/ocsp/);
    assert.doesNotMatch(own, /CRL Distribution Points/);
    ok(await x.call('PATCH', 'pki/issuer/default', { ocsp_servers: [] }));
  });

  it('revokes by certificate (one this mount signed, stored or not) and refuses one it did not sign', async () => {
    const stored = await issue('bycert');
    const d = await x.write('revoke', { certificate: stored.certificate });
    assert.equal(d.state, 'revoked');
    assert.equal((await x.read(`cert/${stored.serial_number}`)).revocation_time, d.revocation_time);
    const unstored = await issue('nostore', 'nostore');
    await x.write('revoke', { certificate: unstored.certificate });
    const crl = await fetchPem('crl/pem');
    assert.ok(listed(crl, stored.serial_number) && listed(crl, unstored.serial_number));

    const key = `${x.dir}/foreign.key`;
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=CRL Root', '-days', '1', '-out', `${x.dir}/foreign.pem`]);
    const foreign = openssl(['x509', '-in', `${x.dir}/foreign.pem`]).out;
    bad(await x.call('POST', 'pki/revoke', { certificate: foreign }), /not issued by any issuer of this mount/);
    bad(await x.call('POST', 'pki/revoke', { certificate: 'garbage' }), /certificate is not a PEM certificate/);
    bad(await x.call('POST', 'pki/revoke', { certificate: stored.certificate, serial_number: stored.serial_number }), /either serial_number or certificate/);
    bad(await x.call('POST', 'pki/revoke', {}), /serial_number or certificate is required/);
  });

  it('revoke-with-key revokes only when the private key matches the certificate', async () => {
    const leaf = await issue('withkey');
    const other = await issue('otherkey');
    bad(await x.call('POST', 'pki/revoke-with-key', { serial_number: leaf.serial_number, private_key: other.private_key }), /does not match/);
    bad(await x.call('POST', 'pki/revoke-with-key', { serial_number: leaf.serial_number, private_key: 'nope' }), /private_key is not a PEM private key/);
    const msg = (await x.call('POST', 'pki/revoke-with-key', { serial_number: leaf.serial_number, private_key: 'nope' })).body!.errors!.join();
    assert.doesNotMatch(msg, /PRIVATE KEY/);
    assert.equal((await x.read(`cert/${leaf.serial_number}`)).revocation_time, 0, 'nothing changed');
    assert.equal((await x.write('revoke-with-key', { certificate: leaf.certificate, private_key: leaf.private_key })).state, 'revoked');
    assert.ok((await x.read(`cert/${leaf.serial_number}`)).revocation_time > 0);
  });
});
