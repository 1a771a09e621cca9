/** The cert auth method over a real TLS listener, with client certificates made by openssl. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CertFactory, type Pair } from '../helpers/client-certs.js';
import { startCertServer, withChain, type CertServer } from './cert-helpers.js';
import { assertAuthBlock, expectError, expectStatus, login, type Body } from './helpers.js';

const serialOf = (p: Pair) => BigInt('0x' + new X509Certificate(p.cert).serialNumber).toString(10);
const b64 = (p: Pair) => Buffer.from(p.cert).toString('base64');
const REFUSED = /^invalid certificate or no client certificate supplied$/;

describe('cert auth over TLS', () => {
  let t: CertServer;
  let certs: CertFactory;
  let ca: Pair;
  let other: Pair;
  let alice: Pair;
  before(async () => {
    t = await startCertServer();
    certs = new CertFactory();
    ca = certs.root('ca');
    other = certs.root('other');
    alice = certs.issue('alice', ca, { cn: 'alice.example.com', san: 'DNS:alice.example.com,email:alice@example.com,URI:spiffe://example/alice', ou: 'eng' });
    await t.root.write('sys/policies/acl/dev', { policy: 'path "secret/data/dev/*" { capabilities = ["read"] }' });
  });
  after(() => t.close());

  const cert = (p: string) => `auth/cert/${p}`;

  it('creates, reads, lists and deletes trusted certificates and logs in with one a CA issued', async () => {
    await expectStatus(t.root.raw('POST', cert('certs/web'), { certificate: ca.cert, token_policies: 'dev', token_ttl: '1h', allowed_common_names: '*.example.com' }), 204);
    const read = (await t.root.read(cert('certs/web')))!.data!;
    assert.equal(read.certificate, ca.cert);
    assert.equal(read.display_name, 'web');
    assert.deepEqual(read.allowed_common_names, ['*.example.com']);
    assert.deepEqual(read.token_policies, ['dev']);
    assert.equal(read.token_ttl, 3600);
    assert.equal(read.ocsp_enabled, false);
    assert.deepEqual((await t.root.list(cert('certs')))!.data!.keys, ['web']);

    const auth = await login(t.as(alice), cert('login'), {});
    assertAuthBlock(auth);
    assert.deepEqual(auth.policies, ['default', 'dev']);
    assert.equal(auth.lease_duration, 3600);
    assert.equal(auth.metadata!.cert_name, 'web');
    assert.equal(auth.metadata!.common_name, 'alice.example.com');
    assert.equal(auth.metadata!.serial_number, serialOf(alice));
    assert.match(auth.metadata!.subject_key_id!, /^([0-9a-f]{2}:)+[0-9a-f]{2}$/);
    assert.match(auth.metadata!.authority_key_id!, /^([0-9a-f]{2}:)+[0-9a-f]{2}$/);
    const self = (await t.as(alice, auth.client_token).read('auth/token/lookup-self'))!.data!;
    assert.equal(self.display_name, 'cert-web');
    // The identity alias is the certificate's common name, as Vault's.
    const entity = (await t.root.read(`identity/entity/id/${auth.entity_id}`))!.data!;
    assert.deepEqual((entity.aliases as { name: string }[]).map((a) => a.name), ['alice.example.com']);

    await expectStatus(t.root.raw('DELETE', cert('certs/web')), 204);
    await expectStatus(t.root.raw('GET', cert('certs/web')), 404);
    await expectError(t.as(alice).raw('POST', cert('login'), {}), 400, REFUSED);
  });

  it('refuses bad input with a 400 that names it, and stores nothing', async () => {
    await expectError(t.root.raw('POST', cert('certs/x'), {}), 400, /missing certificate/);
    await expectError(t.root.raw('POST', cert('certs/x'), { certificate: 'not a pem' }), 400, /certificate holds no PEM certificate/);
    await expectError(t.root.raw('POST', cert('certs/x'), { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), 400, /cannot be parsed/);
    await expectError(t.root.raw('POST', cert('certs/x'), { certificate: ca.cert, required_extensions: 'nocolon' }), 400, /required_extensions/);
    await expectError(t.root.raw('POST', cert('certs/x'), { certificate: ca.cert, ocsp_servers_override: 'ftp://x' }), 400, /ocsp_servers_override/);
    await expectError(t.root.raw('POST', cert('crls/x'), { crl: 'garbage' }), 400, /crl is not/);
    await expectStatus(t.root.raw('GET', cert('certs/x')), 404);
    await expectError(t.root.raw('POST', cert('config'), { ocsp_cache_size: 1 }), 400, /cache size/);
  });

  it('needs a TLS connection and a certificate from it, never from a header', async () => {
    await expectStatus(t.root.raw('POST', cert('certs/any'), { certificate: ca.cert }), 204);
    const plain = (await import('../../src/api/client.js')).createApiClient({ address: t.plain });
    await expectError(plain.raw('POST', cert('login'), {}, { 'X-Client-Cert': b64(alice), 'ssl-client-cert': b64(alice) }), 400, /^tls connection required$/);
    await expectError(t.as().raw('POST', cert('login'), {}, { 'X-Client-Cert': encodeURIComponent(alice.cert), 'X-SSL-Client-Cert': b64(alice) }), 400, /^client certificate must be supplied$/);
    // A client without a certificate still uses the API with a token (the listener asks, never requires).
    assert.ok(await t.as(undefined, t.rootToken).read('sys/mounts'));
    await expectStatus(t.root.raw('DELETE', cert('certs/any')), 204);
  });

  it('refuses a certificate signed by a CA no entry trusts, and an expired one', async () => {
    await expectStatus(t.root.raw('POST', cert('certs/web'), { certificate: ca.cert }), 204);
    const stranger = certs.issue('stranger', other, { cn: 'alice.example.com' });
    await expectError(t.as(stranger).raw('POST', cert('login'), {}), 400, REFUSED);
    const expired = certs.issue('expired', ca, { cn: 'old.example.com', dates: { start: '20200101000000Z', end: '20200201000000Z' } });
    await expectError(t.as(expired).raw('POST', cert('login'), {}), 400, REFUSED);
    // A self-signed certificate copying the CA's subject is not the CA.
    const fake = certs.root('fake', 'ca Root');
    await expectError(t.as(fake).raw('POST', cert('login'), {}), 400, REFUSED);
  });

  it('accepts a chain through an intermediate the client presents, and only then', async () => {
    await expectStatus(t.root.raw('POST', cert('certs/web'), { certificate: ca.cert }), 204);
    const mid = certs.issue('mid', ca, { cn: 'Intermediate', ca: true });
    const bob = certs.issue('bob', mid, { cn: 'bob.example.com' });
    const auth = await login(withChain(t, bob, [mid]), cert('login'), {});
    assert.equal(auth.metadata!.common_name, 'bob.example.com');
    await expectError(t.as(bob).raw('POST', cert('login'), {}), 400, REFUSED);

    // A second connection resumes the TLS session, which carries the leaf only: still in.
    const agent = new Agent({ ca: t.tls!.cert, cert: bob.cert + mid.cert, key: bob.key, keepAlive: false });
    const loginOver = () =>
      new Promise<{ status: number; resumed: boolean }>((resolve, reject) => {
        const req = httpsRequest(`${t.address}/v1/auth/cert/login`, { method: 'POST', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, resumed: (res.socket as TLSSocket).isSessionReused() }));
        });
        req.on('error', reject);
        req.end('{}');
      });
    assert.deepEqual(await loginOver(), { status: 200, resumed: false });
    assert.deepEqual(await loginOver(), { status: 200, resumed: true });
    agent.destroy();
  });

  it('matches a pinned non-CA certificate by the whole certificate, not its serial and subject (CVE-2024-2048)', async () => {
    await t.root.raw('DELETE', cert('certs/web'));
    const pinned = certs.issue('pinned', ca, { cn: 'pinned.example.com', serial: 'abcdef' });
    await expectStatus(t.root.raw('POST', cert('certs/pin'), { certificate: pinned.cert, token_policies: 'dev' }), 204);
    const auth = await login(t.as(pinned), cert('login'), {});
    assert.equal(auth.metadata!.cert_name, 'pin');
    // Same issuer, serial and subject, another key: not the pinned certificate.
    const lookalike = certs.issue('lookalike', ca, { cn: 'pinned.example.com', serial: 'abcdef' });
    await expectError(t.as(lookalike).raw('POST', cert('login'), {}), 400, REFUSED);
    // Same key, reissued (another validity): not the pinned certificate either.
    const reissued = certs.issue('reissued', ca, { cn: 'pinned.example.com', serial: 'abcdef', keyFile: pinned.keyFile });
    assert.notEqual(reissued.cert, pinned.cert);
    await expectError(t.as(reissued).raw('POST', cert('login'), {}), 400, REFUSED);
    // Another certificate from the pinned one's CA: the pin is not a CA.
    await expectError(t.as(alice).raw('POST', cert('login'), {}), 400, REFUSED);
  });

  it('holds a pinned non-CA certificate to allowed_common_names (CVE-2025-6037)', async () => {
    const pinned = certs.issue('pinned-cn', ca, { cn: 'intruder.example.org' });
    await expectStatus(t.root.raw('POST', cert('certs/pin'), { certificate: pinned.cert, allowed_common_names: 'app.example.com' }), 204);
    await expectError(t.as(pinned).raw('POST', cert('login'), {}), 400, REFUSED);
    await expectStatus(t.root.raw('POST', cert('certs/pin'), { allowed_common_names: 'intruder.*' }), 204);
    await login(t.as(pinned), cert('login'), {});
    await t.root.raw('DELETE', cert('certs/pin'));
  });

  it('applies each constraint list, and name picks one entry', async () => {
    const write = (name: string, body: Record<string, unknown>) => expectStatus(t.root.raw('POST', cert(`certs/${name}`), { certificate: ca.cert, ...body }), 204);
    const tries = async (body: Record<string, unknown>, ok: boolean) => {
      await t.root.raw('DELETE', cert('certs/c'));
      await write('c', body);
      const res = await t.as(alice).raw<Body>('POST', cert('login'), { name: 'c' });
      assert.equal(res.status, ok ? 200 : 400, `${JSON.stringify(body)} → ${res.status}`);
    };
    await tries({ allowed_names: 'alice@example.com' }, true);
    await tries({ allowed_names: 'bob*' }, false);
    await tries({ allowed_common_names: 'alice.*' }, true);
    await tries({ allowed_common_names: 'bob.*' }, false);
    await tries({ allowed_dns_sans: '*.example.com' }, true);
    await tries({ allowed_dns_sans: '*.example.org' }, false);
    await tries({ allowed_email_sans: '*@example.com' }, true);
    await tries({ allowed_email_sans: '*@example.org' }, false);
    await tries({ allowed_uri_sans: 'spiffe://example/*' }, true);
    await tries({ allowed_uri_sans: 'spiffe://other/*' }, false);
    await tries({ allowed_organizational_units: 'eng' }, true);
    await tries({ allowed_organizational_units: 'ops' }, false);
    await tries({ required_extensions: '1.2.3.4.5:*' }, false);

    const tagged = certs.issue('tagged', ca, { cn: 'tagged', extra: ['1.2.3.4.5=ASN1:UTF8String:team-blue'] });
    await write('c', { required_extensions: '1.2.3.4.5:team-*', allowed_metadata_extensions: '1.2.3.4.5' });
    const auth = await login(t.as(tagged), cert('login'), { name: 'c' });
    assert.equal(auth.metadata!['1-2-3-4-5'], 'team-blue');
    await write('c', { required_extensions: '1.2.3.4.5:team-red' });
    await expectError(t.as(tagged).raw('POST', cert('login'), { name: 'c' }), 400, REFUSED);

    // name: only that entry; an entry that does not exist matches nothing.
    await write('d', { token_policies: 'dev' });
    assert.equal((await login(t.as(alice), cert('login'), { name: 'd' })).metadata!.cert_name, 'd');
    await expectError(t.as(alice).raw('POST', cert('login'), { name: 'nope' }), 400, REFUSED);
    await t.root.raw('DELETE', cert('certs/c'));
    await t.root.raw('DELETE', cert('certs/d'));
  });

  it('refuses a certificate a configured CRL revokes, anywhere in its chain', async () => {
    const crlCa = certs.root('crlca');
    const kept = certs.issue('kept', crlCa, { cn: 'kept' });
    const gone = certs.issue('gone', crlCa, { cn: 'gone' });
    await expectStatus(t.root.raw('POST', cert('certs/crl'), { certificate: crlCa.cert }), 204);
    await login(t.as(gone), cert('login'), { name: 'crl' });
    const crl = certs.crl(crlCa, [gone]);
    await expectStatus(t.root.raw('POST', cert('crls/crlca'), { crl }), 204);
    const read = (await t.root.read(cert('crls/crlca')))!.data!;
    assert.deepEqual(Object.keys(read.serials as object), [serialOf(gone)]);
    await expectError(t.as(gone).raw('POST', cert('login'), { name: 'crl' }), 400, REFUSED);
    await login(t.as(kept), cert('login'), { name: 'crl' });
    assert.deepEqual((await t.root.list(cert('crls')))!.data!.keys, ['crlca']);
    await expectStatus(t.root.raw('DELETE', cert('crls/crlca')), 204);
    await login(t.as(gone), cert('login'), { name: 'crl' });
    await t.root.raw('DELETE', cert('certs/crl'));
  });
  it('refuses quickly a chain of CA certificates that all issue each other and reach no trusted CA', async () => {
    await expectStatus(t.root.raw('POST', cert('certs/web'), { certificate: ca.cert }), 204);
    // 14 self-signed CAs with one subject and one key: each verifies as the issuer of every other.
    const keyFile = join(certs.dir, 'loop.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    const loops: Pair[] = [];
    for (let i = 0; i < 14; i++) {
      const certFile = join(certs.dir, `loop-${i}.crt`);
      execFileSync('openssl', ['req', '-x509', '-key', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=Loop', '-set_serial', String(100 + i),
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      loops.push({ name: `loop-${i}`, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile });
    }
    const looped = certs.issue('looped', loops[0]!, { cn: 'looped.example.com' });
    const started = Date.now();
    await expectError(withChain(t, looped, loops).raw('POST', cert('login'), {}), 400, REFUSED);
    const took = Date.now() - started;
    assert.ok(took < 1000, `login took ${took} ms`);
    await t.root.raw('DELETE', cert('certs/web'));
  });
  it('honours a CA\'s pathLen, and refuses unknown critical extensions and name constraints', async () => {
    const keyFile = join(certs.dir, 'short.key');
    const certFile = join(certs.dir, 'short.crt');
    execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', keyFile, '-out', certFile, '-days', '2',
      '-subj', '/CN=Short Root', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const short: Pair = { name: 'short', cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
    await expectStatus(t.root.raw('POST', cert('certs/short'), { certificate: short.cert }), 204);
    // pathlen:0 lets the root issue leaves, not an intermediate that issues them.
    await login(t.as(certs.issue('direct', short, { cn: 'direct' })), cert('login'), { name: 'short' });
    const mid = certs.issue('short-mid', short, { cn: 'Short Mid', ca: true });
    await expectError(withChain(t, certs.issue('deep', mid, { cn: 'deep' }), [mid]).raw('POST', cert('login'), { name: 'short' }), 400, REFUSED);

    await expectStatus(t.root.raw('POST', cert('certs/web'), { certificate: ca.cert }), 204);
    const critical = certs.issue('critical', ca, { cn: 'critical', extra: ['1.2.3.4.6=critical,ASN1:UTF8String:x'] });
    await expectError(t.as(critical).raw('POST', cert('login'), { name: 'web' }), 400, REFUSED);
    const constrained = certs.issue('constrained', ca, { cn: 'Constrained', ca: true, extra: ['nameConstraints=critical,permitted;DNS:example.com'] });
    const inside = certs.issue('inside', constrained, { cn: 'a.example.com', san: 'DNS:a.example.com' });
    await expectError(withChain(t, inside, [constrained]).raw('POST', cert('login'), { name: 'web' }), 400, REFUSED);
    await expectError(t.root.raw('POST', cert('certs/nc'), { certificate: constrained.cert }), 400, /name constraints are not supported/);
    // The same chain without those is trusted.
    const plainMid = certs.issue('plain-mid', ca, { cn: 'Plain Mid', ca: true });
    await login(withChain(t, certs.issue('plain-leaf', plainMid, { cn: 'plain-leaf' }), [plainMid]), cert('login'), { name: 'web' });
    await t.root.raw('DELETE', cert('certs/short'));
    await t.root.raw('DELETE', cert('certs/web'));
  });
});
