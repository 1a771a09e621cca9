/**
 * The OCSP responder over HTTP, asked by the real `openssl ocsp`: good before a revocation,
 * revoked (with its time) after, the nonce echoed, the answer signed by the issuer; the GET
 * form with a URL-encoded base64 request; malformed and unauthorized answers as Vault gives.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

/** openssl talking to this process's server: run without blocking the event loop that answers it. */
function opensslAsync(args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { timeout: 20_000 }, (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` }));
  });
}

describe('pki OCSP responder over HTTP', () => {
  let x: PkiTest;
  let ca = '';
  let otherCa = '';
  const leaves: Record<string, string> = {};
  const serials: Record<string, string> = {};
  before(async () => {
    x = await startPki();
    ca = x.file('ca.pem', (await x.write('root/generate/internal', { common_name: 'OCSP Root', ttl: '8760h', key_type: 'ec', issuer_name: 'one' })).certificate);
    await x.write('roles/web', { allowed_domains: 'example.com', allow_subdomains: true });
    for (const n of ['keep', 'gone', 'get']) {
      const leaf = await x.write('issue/web', { common_name: `${n}.example.com`, ttl: '1h' });
      leaves[n] = x.file(`${n}.pem`, leaf.certificate);
      serials[n] = leaf.serial_number;
    }
    // A CA this mount does not hold: openssl makes one, and a leaf under it.
    const key = `${x.dir}/other.key`;
    assert.equal(openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=Other', '-days', '2', '-out', `${x.dir}/other.pem`]).status, 0);
    otherCa = `${x.dir}/other.pem`;
  });
  after(() => x.t.close());

  const url = () => `${x.t.address}/v1/pki/ocsp`;
  const ask = (leaf: string, extra: string[] = []) =>
    opensslAsync(['ocsp', '-issuer', ca, '-cert', leaves[leaf]!, '-url', url(), '-CAfile', ca, '-resp_text', ...extra]);

  it('answers good for a valid certificate, signed by its issuer, with the nonce echoed and a nextUpdate', async () => {
    const r = (await ask('keep'));
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Response verify OK/);
    assert.match(r.out, new RegExp(`${leaves.keep}: good`));
    assert.match(r.out, /OCSP Nonce/);
    assert.doesNotMatch(r.out, /WARNING: no nonce/);
    assert.match(r.out, /Next Update:/);
  });

  it('answers revoked with the revocation time once the certificate is revoked', async () => {
    assert.match((await ask('gone')).out, /: good/);
    const { revocation_time } = await x.write('revoke', { serial_number: serials.gone });
    const r = (await ask('gone'));
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Response verify OK/);
    assert.match(r.out, /: revoked/);
    const when = /Revocation Time: (.+)/.exec(r.out)![1]!;
    assert.equal(Date.parse(when) / 1000, revocation_time);
    assert.match((await ask('keep')).out, /: good/);
  });

  it('answers the GET form: base64 of the DER request, URL-encoded, with the same result', async () => {
    const reqFile = `${x.dir}/get.req`;
    // openssl's request ends with its 16-byte nonce (an OCTET STRING, 04 10, inside the nonce
    // extension). Setting those bytes to FF puts '////' in the base64 wherever they fall: a
    // request holding the empty path segments the server refuses on every other path.
    assert.equal(openssl(['ocsp', '-issuer', ca, '-cert', leaves.get!, '-reqout', reqFile]).status, 0);
    const der = readFileSync(reqFile);
    assert.deepEqual([...der.subarray(der.length - 18, der.length - 16)], [0x04, 0x10], 'the request ends with its nonce');
    der.fill(0xff, der.length - 16);
    writeFileSync(reqFile, der);
    const b64 = der.toString('base64');
    assert.ok(b64.includes('//'), b64);
    // Clients send it URL-encoded or as it is (node's fetch keeps the '//' of a raw path).
    const raw = await fetch(`${x.t.address}/v1/pki/ocsp/${b64.replace(/\+/g, '%2B')}`);
    assert.equal(raw.status, 200, await raw.clone().text());
    const res = await fetch(`${x.t.address}/v1/pki/ocsp/${encodeURIComponent(b64)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
    const respFile = x.file('get.resp', Buffer.from(await res.arrayBuffer()));
    // -reqin: openssl checks the answer against this request (its nonce included).
    const r = openssl(['ocsp', '-reqin', reqFile, '-respin', respFile, '-CAfile', ca, '-verify_other', ca, '-resp_text']);
    assert.match(r.out, /Response verify OK/);
    assert.match(r.out, /Cert Status: good/);
    await x.write('revoke', { serial_number: serials.get });
    const again = await fetch(`${x.t.address}/v1/pki/ocsp/${encodeURIComponent(b64)}`);
    const r2 = openssl(['ocsp', '-reqin', reqFile, '-respin', x.file('get2.resp', Buffer.from(await again.arrayBuffer())), '-CAfile', ca, '-verify_other', ca, '-resp_text']);
    assert.match(r2.out, /Response verify OK/);
    assert.match(r2.out, /Cert Status: revoked/);
  });

  it('answers for any issuer of the mount (an RSA one too), and on issuer/:ref/ocsp only for that issuer', async () => {
    const rsaCa = x.file('rsa-ca.pem', (await x.write('root/generate/internal', { common_name: 'RSA Root', ttl: '8760h', key_type: 'rsa', issuer_name: 'two' })).certificate);
    await x.write('roles/rsa', { allowed_domains: 'example.com', allow_subdomains: true, issuer_ref: 'two', key_type: 'rsa' });
    const rsaLeaf = x.file('rsa-leaf.pem', (await x.write('issue/rsa', { common_name: 'r.example.com', ttl: '1h' })).certificate);
    const viaMount = await opensslAsync(['ocsp', '-issuer', rsaCa, '-cert', rsaLeaf, '-url', url(), '-CAfile', rsaCa]);
    assert.match(viaMount.out, /Response verify OK/);
    assert.match(viaMount.out, /: good/);
    const viaIssuer = await opensslAsync(['ocsp', '-issuer', ca, '-cert', leaves.keep!, '-url', `${x.t.address}/v1/pki/issuer/one/ocsp`, '-CAfile', ca]);
    assert.match(viaIssuer.out, /Response verify OK/);
    assert.match(viaIssuer.out, /: good/);
    const wrongIssuer = await opensslAsync(['ocsp', '-issuer', ca, '-cert', leaves.keep!, '-url', `${x.t.address}/v1/pki/issuer/two/ocsp`, '-CAfile', ca]);
    assert.notEqual(wrongIssuer.status, 0);
    assert.match(wrongIssuer.out, /unauthorized/i);
  });

  it('answers malformedRequest (HTTP 400) to bytes that are not a request, without a token', async () => {
    for (const body of [Buffer.from('not a request'), Buffer.alloc(0)]) {
      const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
      const parsed = AsnConvert.parse(Buffer.from(await res.arrayBuffer()), OCSPResponse);
      assert.equal(parsed.responseStatus, OCSPResponseStatus.malformedRequest);
    }
    const get = await fetch(`${url()}/${encodeURIComponent('***')}`);
    assert.equal(get.status, 400);
    assert.equal(AsnConvert.parse(Buffer.from(await get.arrayBuffer()), OCSPResponse).responseStatus, OCSPResponseStatus.malformedRequest);
  });

  it('answers unauthorized (HTTP 401) for a certificate of an issuer it does not hold', async () => {
    const leafKey = `${x.dir}/stranger.key`;
    assert.equal(openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', leafKey, '-subj', '/CN=stranger', '-out', `${x.dir}/stranger.csr`]).status, 0);
    assert.equal(openssl(['x509', '-req', '-in', `${x.dir}/stranger.csr`, '-CA', otherCa, '-CAkey', `${x.dir}/other.key`, '-days', '1', '-out', `${x.dir}/stranger.pem`]).status, 0);
    const reqFile = `${x.dir}/stranger.req`;
    assert.equal(openssl(['ocsp', '-issuer', otherCa, '-cert', `${x.dir}/stranger.pem`, '-reqout', reqFile]).status, 0);
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: readFileSync(reqFile) });
    assert.equal(res.status, 401);
    assert.equal(AsnConvert.parse(Buffer.from(await res.arrayBuffer()), OCSPResponse).responseStatus, OCSPResponseStatus.unauthorized);
  });

  it('honours ocsp_expiry (0 leaves nextUpdate out) and ocsp_disable', async () => {
    await x.write('config/crl', { ocsp_expiry: '1h' });
    const reqFile = `${x.dir}/exp.req`;
    assert.equal(openssl(['ocsp', '-issuer', ca, '-cert', leaves.keep!, '-reqout', reqFile]).status, 0);
    const post = async () => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: readFileSync(reqFile) });
    const basicOf = async (res: Response) => {
      const outer = AsnConvert.parse(Buffer.from(await res.arrayBuffer()), OCSPResponse);
      return AsnConvert.parse(outer.responseBytes!.response.buffer, BasicOCSPResponse);
    };
    const single = (await basicOf(await post())).tbsResponseData.responses[0]!;
    assert.equal(single.nextUpdate!.getTime() - single.thisUpdate.getTime(), 3600_000);
    await x.write('config/crl', { ocsp_expiry: 0 });
    assert.equal((await basicOf(await post())).tbsResponseData.responses[0]!.nextUpdate, undefined);
    await x.write('config/crl', { ocsp_disable: true });
    const off = await post();
    assert.equal(off.status, 401);
    assert.equal(AsnConvert.parse(Buffer.from(await off.arrayBuffer()), OCSPResponse).responseStatus, OCSPResponseStatus.unauthorized);
    await x.write('config/crl', { ocsp_disable: false, ocsp_expiry: '12h' });
  });

  it('answers unauthorized for an issuer whose usage lacks ocsp-signing, as Vault', async () => {
    const reqFile = `${x.dir}/usage.req`;
    assert.equal(openssl(['ocsp', '-issuer', ca, '-cert', leaves.keep!, '-reqout', reqFile]).status, 0);
    const post = () => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: readFileSync(reqFile) });
    ok(await x.call('PATCH', 'pki/issuer/one', { usage: 'read-only,issuing-certificates,crl-signing' }));
    try {
      const res = await post();
      assert.equal(res.status, 401);
      assert.equal(AsnConvert.parse(Buffer.from(await res.arrayBuffer()), OCSPResponse).responseStatus, OCSPResponseStatus.unauthorized);
    } finally {
      await x.call('PATCH', 'pki/issuer/one', { usage: 'read-only,issuing-certificates,crl-signing,ocsp-signing' });
    }
    assert.equal((await post()).status, 200);
  });
});
