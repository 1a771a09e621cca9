/**
 * The cert method's renewal binding (the certificate that logged in, and only it, renews its
 * token) and OCSP checks against Coffer's own PKI engine's responder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpServer, type Server } from 'node:http';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { id_pkix_ocsp_basic, OCSPResponse, OCSPResponseStatus, ResponseBytes } from '@peculiar/asn1-ocsp';
import { CertFactory, type Pair } from '../helpers/client-certs.js';
import { startCertServer, type CertServer } from './cert-helpers.js';
import { expectError, expectStatus, login, type Body } from './helpers.js';

const MISMATCH = /client identity during renewal not matching client identity used during login/;

describe('cert auth: renewal needs the same certificate', () => {
  let t: CertServer;
  let certs: CertFactory;
  let ca: Pair;
  let alice: Pair;
  let bob: Pair;
  before(async () => {
    t = await startCertServer();
    certs = new CertFactory();
    ca = certs.root('ca');
    alice = certs.issue('alice', ca, { cn: 'alice' });
    bob = certs.issue('bob', ca, { cn: 'bob' });
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { certificate: ca.cert, token_policies: 'dev', token_ttl: '10m', token_max_ttl: '1h' }), 204);
  });
  after(() => t.close());

  const renewSelf = (pair: Pair | undefined, token: string) => t.as(pair, token).raw<Body>('POST', 'auth/token/renew-self', { increment: '5m' });

  it('renews with the certificate that logged in, and refuses another trusted one or none (CVE-2026-39388)', async () => {
    const auth = await login(t.as(alice), 'auth/cert/login', {});
    const renewed = await expectStatus(renewSelf(alice, auth.client_token), 200);
    assert.equal(renewed.auth!.lease_duration, 300);
    await expectError(renewSelf(bob, auth.client_token), 400, MISMATCH);
    await expectError(renewSelf(undefined, auth.client_token), 400, /^client certificate must be supplied$/);
    // By value or accessor the renewing request must present it too (as Vault: the caller's connection is checked).
    await expectError(t.as(undefined, t.rootToken).raw('POST', 'auth/token/renew', { token: auth.client_token }), 400, /client certificate must be supplied/);
    await expectStatus(t.as(alice, t.rootToken).raw('POST', 'auth/token/renew-accessor', { accessor: auth.accessor }), 200);
    // A refused renewal changed nothing: the token still works.
    assert.ok(await t.as(alice, auth.client_token).read('auth/token/lookup-self'));
  });

  it('refuses renewal once the entry no longer trusts the certificate or its policies changed', async () => {
    const auth = await login(t.as(alice), 'auth/cert/login', {});
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { allowed_common_names: 'bob' }), 204);
    await expectError(renewSelf(alice, auth.client_token), 400, /invalid certificate/);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { allowed_common_names: '' }), 204);
    await expectStatus(renewSelf(alice, auth.client_token), 200);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { token_policies: 'dev,ops' }), 204);
    await expectError(renewSelf(alice, auth.client_token), 400, /policies have changed/);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { token_policies: 'dev' }), 204);
    await expectStatus(t.root.raw('DELETE', 'auth/cert/certs/web'), 204);
    await expectError(renewSelf(alice, auth.client_token), 400, /invalid certificate/);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { certificate: ca.cert, token_policies: 'dev', token_ttl: '10m', token_max_ttl: '1h' }), 204);
  });

  it('with disable_binding, renews without the certificate while the entry and policies stand', async () => {
    const auth = await login(t.as(alice), 'auth/cert/login', {});
    await expectStatus(t.root.raw('POST', 'auth/cert/config', { disable_binding: true, enable_identity_alias_metadata: true }), 204);
    assert.deepEqual((await t.root.read('auth/cert/config'))!.data, { disable_binding: true, enable_identity_alias_metadata: true, ocsp_cache_size: 100, role_cache_size: 200 });
    await expectStatus(renewSelf(undefined, auth.client_token), 200);
    await expectStatus(renewSelf(bob, auth.client_token), 200);
    // enable_identity_alias_metadata: the alias carries the login metadata.
    const second = await login(t.as(bob), 'auth/cert/login', {});
    const entity = (await t.root.read(`identity/entity/id/${second.entity_id}`))!.data!;
    const alias = (entity.aliases as { name: string; metadata: Record<string, string> }[])[0]!;
    assert.equal(alias.metadata.common_name, 'bob');
    await expectStatus(t.root.raw('POST', 'auth/cert/config', { disable_binding: false, enable_identity_alias_metadata: false }), 204);
    await expectError(renewSelf(bob, auth.client_token), 400, MISMATCH);
  });
});

describe('cert auth: OCSP against the PKI engine', () => {
  let t: CertServer;
  let rootPem = '';
  const issue = async (cn: string) => {
    const res = await expectStatus(t.root.raw('POST', 'pki/issue/client', { common_name: cn, ttl: '1h' }), 200);
    return res.data as { certificate: string; private_key: string; serial_number: string; issuing_ca: string };
  };
  const pairOf = (x: { certificate: string; private_key: string }): Pair => ({ name: '', cert: x.certificate, key: x.private_key, certFile: '', keyFile: '' });

  before(async () => {
    t = await startCertServer();
    await expectStatus(t.root.raw('POST', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '8760h' } }), 204);
    rootPem = ((await t.root.write('pki/root/generate/internal', { common_name: 'Client Root', ttl: '8760h', key_type: 'ec' }))!.data as { certificate: string }).certificate;
    await expectStatus(t.root.raw('POST', 'pki/roles/client', { allow_any_name: true, client_flag: true, server_flag: false, key_type: 'ec' }), 200);
  });
  after(() => t.close());

  it('logs in while the responder says good, and refuses a certificate it says is revoked', async () => {
    const good = await issue('good.example');
    const gone = await issue('gone.example');
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { certificate: rootPem, ocsp_enabled: true, ocsp_servers_override: `${t.plain}/v1/pki/ocsp` }), 204);
    // Good answers are cached (ocsp_cache_size), so `gone` is not asked about before its revocation.
    await expectStatus(t.root.raw('POST', 'pki/revoke', { serial_number: gone.serial_number }), 200);
    await expectError(t.as(pairOf(gone)).raw('POST', 'auth/cert/login', {}), 400, /invalid certificate/);
    await login(t.as(pairOf(good)), 'auth/cert/login', {});
    // Without OCSP the same entry lets the revoked certificate in: the refusal came from the responder.
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { ocsp_enabled: false }), 204);
    await login(t.as(pairOf(gone)), 'auth/cert/login', {});
  });

  it('fails closed when no responder answers, unless ocsp_fail_open', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const leaf = await issue('lonely.example');
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { certificate: rootPem, ocsp_enabled: true, ocsp_servers_override: `http://127.0.0.1:${dead}/ocsp` }), 204);
    await expectError(t.as(pairOf(leaf)).raw('POST', 'auth/cert/login', {}), 400, /invalid certificate/);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { ocsp_fail_open: true }), 204);
    await login(t.as(pairOf(leaf)), 'auth/cert/login', {});
    // An answer signed by another CA is no answer: the responder of a second PKI mount.
    await expectStatus(t.root.raw('POST', 'sys/mounts/pki2', { type: 'pki' }), 204);
    await t.root.write('pki2/root/generate/internal', { common_name: 'Other Root', key_type: 'ec' });
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { ocsp_fail_open: false, ocsp_servers_override: `${t.plain}/v1/pki2/ocsp` }), 204);
    await expectError(t.as(pairOf(leaf)).raw('POST', 'auth/cert/login', {}), 400, /invalid certificate/);
  });
  it('treats a malformed OCSP answer or responder address as no answer (400, never 500), and ocsp_fail_open lets it in', async () => {
    // A "successful" answer whose basic response is garbage, and one too large to read.
    const garbage = Buffer.from(AsnConvert.serialize(new OCSPResponse({
      responseStatus: OCSPResponseStatus.successful,
      responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(Buffer.from('not an OCSP answer')) }),
    })));
    const responder: Server = createHttpServer((req, res) => {
      req.resume();
      res.end(req.url === '/huge' ? Buffer.alloc(3 << 20, 0x30) : req.url === '/garbage' ? garbage : Buffer.from('\x30\x03\x0a\x01'));
    });
    await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(responder.address() as { port: number }).port}`;
    const leaf = pairOf(await issue('garbled.example'));
    for (const path of ['/garbage', '/short', '/huge']) {
      await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { certificate: rootPem, ocsp_enabled: true, ocsp_fail_open: false, ocsp_servers_override: `${base}${path}` }), 204);
      await expectError(t.as(leaf).raw('POST', 'auth/cert/login', {}), 400, /invalid certificate/);
      await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { ocsp_fail_open: true }), 204);
      await login(t.as(leaf), 'auth/cert/login', {});
    }
    responder.close();

    // A certificate whose AIA names an OCSP "address" that is no URL.
    const certs = new CertFactory();
    const ca = certs.root('aia');
    const odd = certs.issue('odd', ca, { cn: 'odd', extra: ['authorityInfoAccess=OCSP;URI:not a url'] });
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { certificate: ca.cert, ocsp_enabled: true, ocsp_fail_open: false, ocsp_servers_override: '' }), 204);
    await expectError(t.as(odd).raw('POST', 'auth/cert/login', {}), 400, /invalid certificate/);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/pki', { ocsp_fail_open: true }), 204);
    await login(t.as(odd), 'auth/cert/login', {});
  });
  it('does not reuse a cached answer signed by a responder one role trusts for a role that does not trust it', async () => {
    // openssl ocsp answers for `oca`, signed by `resp`: a key only ocsp_ca_certificates makes trusted.
    const certs = new CertFactory();
    const oca = certs.root('oca');
    const resp = certs.root('resp');
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    const leaf = certs.issue('ocsp-leaf', oca, { cn: 'ocsp-leaf', dates: { start: day(-1), end: day(1) } });
    const reqFile = join(certs.dir, 'ocsp-req.der');
    const respFile = join(certs.dir, 'ocsp-resp.der');
    let asked = 0;
    const responder: Server = createHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        asked++;
        writeFileSync(reqFile, Buffer.concat(parts));
        execFileSync('openssl', ['ocsp', '-index', join(certs.dir, 'ca-oca', 'index.txt'), '-CA', oca.certFile, '-rsigner', resp.certFile, '-rkey', resp.keyFile,
          '-reqin', reqFile, '-respout', respFile, '-nmin', '10'], { stdio: 'pipe' });
        res.end(readFileSync(respFile));
      });
    });
    await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(responder.address() as { port: number }).port}/`;
    const role = { certificate: oca.cert, ocsp_enabled: true, ocsp_servers_override: url };
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/trusting', { ...role, ocsp_ca_certificates: resp.cert }), 204);
    await expectStatus(t.root.raw('POST', 'auth/cert/certs/plain', role), 204);
    await login(t.as(leaf), 'auth/cert/login', { name: 'trusting' });
    assert.equal(asked, 1);
    await expectError(t.as(leaf).raw('POST', 'auth/cert/login', { name: 'plain' }), 400, /invalid certificate/);
    assert.equal(asked, 2);
    // The trusting role's good answer is cached.
    await login(t.as(leaf), 'auth/cert/login', { name: 'trusting' });
    assert.equal(asked, 2);
    responder.close();
    await t.root.raw('DELETE', 'auth/cert/certs/trusting');
    await t.root.raw('DELETE', 'auth/cert/certs/plain');
  });
});
