/**
 * Revocation over HTTP: revoke by serial, certs/revoked, and CRLs that the real openssl uses
 * to refuse a revoked certificate ("certificate revoked") while its sibling still verifies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bad, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki revocation and CRLs over HTTP', () => {
  let x: PkiTest;
  let root = '';
  const leaves: Record<string, any> = {};
  before(async () => {
    x = await startPki();
    root = x.file('root.pem', (await x.write('root/generate/internal', { common_name: 'CRL Root', ttl: '8760h', key_type: 'ec' })).certificate);
    await x.write('roles/web', { allowed_domains: 'example.com', allow_subdomains: true });
    for (const n of ['keep', 'gone']) leaves[n] = await x.write('issue/web', { common_name: `${n}.example.com`, ttl: '1h' });
  });
  after(() => x.t.close());

  const crlPem = async () => {
    const r = await x.fetchRaw('crl/pem');
    assert.equal(r.status, 200);
    return x.file(`crl-${Date.now()}.pem`, r.body);
  };
  const verify = (leaf: string, crl: string) => openssl(['verify', '-crl_check', '-CRLfile', crl, '-CAfile', root, x.file(`${leaf}.pem`, leaves[leaf].certificate)]);

  it('serves a signed, empty CRL before anything is revoked', async () => {
    const crl = await crlPem();
    assert.equal(openssl(['crl', '-in', crl, '-noout', '-CAfile', root]).status, 0);
    assert.equal(verify('gone', crl).status, 0, verify('gone', crl).out);
  });

  it('revokes by serial and rebuilds the CRL at once: openssl refuses the revoked certificate only', async () => {
    const serial = leaves.gone.serial_number;
    const d = await x.write('revoke', { serial_number: serial });
    assert.equal(d.state, 'revoked');
    assert.ok(Math.abs(d.revocation_time - Date.now() / 1000) < 5);
    assert.equal((await x.write('revoke', { serial_number: serial.replace(/:/g, '-') })).revocation_time, d.revocation_time);

    const crl = await crlPem();
    const refused = verify('gone', crl);
    assert.notEqual(refused.status, 0);
    assert.match(refused.out, /certificate revoked/);
    assert.equal(verify('keep', crl).status, 0);
    assert.match(openssl(['crl', '-in', crl, '-noout', '-text']).out, new RegExp(`Serial Number: ${serial.replace(/:/g, '').toUpperCase()}`));

    assert.deepEqual((await x.call('LIST', 'pki/certs/revoked')).body!.data!.keys, [serial]);
    assert.equal((await x.read(`cert/${serial}`)).revocation_time, d.revocation_time);
  });

  it('answers the CRL as DER on crl, and crl/rotate renumbers it', async () => {
    const der = await x.fetchRaw('crl');
    assert.equal(der.type, 'application/pkix-crl');
    const before = openssl(['crl', '-inform', 'DER', '-in', x.file('crl.der', der.body), '-noout', '-crlnumber']).out;
    assert.deepEqual(await x.read('crl/rotate'), { success: true });
    const after = openssl(['crl', '-in', await crlPem(), '-noout', '-crlnumber']).out;
    assert.match(before, /crlNumber=0x02/);
    assert.match(after, /crlNumber=0x03/);
  });

  it('lists every serial in the CRL when many are revoked at once', async () => {
    const batch = await Promise.all(Array.from({ length: 8 }, (_, i) => x.write('issue/web', { common_name: `c${i}.example.com`, ttl: '1h' })));
    await Promise.all(batch.map((l) => x.write('revoke', { serial_number: l.serial_number })));
    const text = openssl(['crl', '-in', await crlPem(), '-noout', '-text']).out;
    for (const l of batch) assert.match(text, new RegExp(`Serial Number: ${l.serial_number.replace(/:/g, '').toUpperCase()}`));
    assert.equal((await x.call('LIST', 'pki/certs/revoked')).body!.data!.keys.length, 9);
  });

  it('answers 400 for a serial it does not hold or cannot read', async () => {
    bad(await x.call('POST', 'pki/revoke', { serial_number: '01:02:03' }), /serial 01:02:03 not found/);
    bad(await x.call('POST', 'pki/revoke', { serial_number: 'zz' }), /invalid serial_number "zz"/);
    bad(await x.call('POST', 'pki/revoke', {}), /serial_number/);
  });
});
