/**
 * One ACME order from start to finish with a jose-based client answering http-01 on port 80:
 * validation in the background, finalize (names must match exactly), the PEM chain that
 * openssl verifies against the mount's CA, and revocation by account and by certificate key,
 * after which the CRL lists the serial.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as x509 from '@peculiar/x509';
import { AcmeClient, acmeKey, b64u, type AcmeResponse } from './helpers/acme-client.js';
import { startDnsmasq, type TestDns } from './helpers/dnsmasq.js';
import { openssl, startPki, type PkiTest } from './helpers/pki.js';
import { withPortLock } from './helpers/port-lock.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function csrFor(names: string[], keys?: CryptoKeyPair, cn = names[0]) {
  keys ??= (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    ...(cn ? { name: `CN=${cn}` } : {}),
    keys,
    signingAlgorithm: EC,
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value })))],
  });
  return { csr: b64u(Buffer.from(csr.rawData)), keys };
}

const problemType = (res: AcmeResponse) => String(res.body?.type).replace('urn:ietf:params:acme:error:', '');

describe('pki ACME: an order from start to finish', () => {
  let x: PkiTest;
  let dns: TestDns;
  let web: Server;
  let caFile = '';
  let release: () => void = () => undefined;
  /** What the port-80 server answers, by token. */
  const answers = new Map<string, string>();

  before(async () => {
    x = await startPki();
    caFile = x.file('ca.pem', (await x.write('root/generate/internal', { common_name: 'ACME Flow Root', ttl: '8760h', key_type: 'ec' })).certificate);
    dns = await startDnsmasq({ addresses: { 'coffer.test': '127.0.0.1' } });
    await x.write('config/cluster', { path: `${x.t.address}/v1/pki` });
    await x.write('config/acme', { enabled: true, dns_resolver: dns.resolver });
    // Hold port 80 for the whole file: another test's validator must not reach this server.
    await new Promise<void>((ready) => {
      void withPortLock(80, () => new Promise<void>((done) => {
        release = done;
        ready();
      }));
    });
    web = createServer((req, res) => {
      const token = req.url?.split('/.well-known/acme-challenge/')[1] ?? '';
      const body = answers.get(token);
      res.writeHead(body ? 200 : 404).end(body ?? 'no such token');
    });
    await new Promise<void>((ok) => web.listen(80, '127.0.0.1', ok));
  });
  after(async () => {
    await new Promise((ok) => web?.close(ok));
    release();
    await dns?.stop();
    await x.t.close();
  });

  async function client(): Promise<AcmeClient> {
    const c = await new AcmeClient(`${x.t.address}/v1/pki/acme/directory`, await acmeKey()).start();
    assert.equal((await c.register()).status, 201);
    return c;
  }

  async function poll(c: AcmeClient, url: string, until: (body: any) => boolean): Promise<any> {
    for (let i = 0; i < 100; i++) {
      const res = await c.post(url, '');
      if (until(res.body)) return res.body;
      await sleep(100);
    }
    throw new Error(`${url} never reached the expected state`);
  }

  /** An order for `names` whose http-01 challenges are answered (rightly unless `wrong`). */
  async function provenOrder(c: AcmeClient, names: string[], wrong = false) {
    const res = await c.post(c.dir.newOrder, { identifiers: names.map((value) => ({ type: 'dns', value })) });
    assert.equal(res.status, 201, res.text);
    for (const url of res.body.authorizations) {
      const authz = (await c.post(url, '')).body;
      const ch = authz.challenges.find((h: any) => h.type === 'http-01');
      answers.set(ch.token, wrong ? 'not-the-key-authorization' : await c.keyAuthorization(ch.token));
      const started = await c.post(ch.url, {});
      assert.equal(started.status, 200, started.text);
      assert.equal(started.body.status, 'processing');
      assert.match(started.headers.get('link')!, /rel="up"/);
      await poll(c, url, (b) => b.status !== 'pending');
    }
    return { url: res.headers.get('location')!, order: (await c.post(res.headers.get('location')!, '')).body };
  }

  it('validates http-01, refuses CSRs whose names differ or that reuse the account key, then issues a chain openssl verifies', async () => {
    const c = await client();
    const { url, order } = await provenOrder(c, ['app.coffer.test', 'www.coffer.test']);
    assert.equal(order.status, 'ready');

    const extra = await c.post(order.finalize, await csrFor(['app.coffer.test', 'www.coffer.test', 'evil.coffer.test']));
    assert.equal(problemType(extra), 'badCSR');
    assert.match(extra.body.detail, /evil\.coffer\.test/);
    const missing = await c.post(order.finalize, await csrFor(['app.coffer.test']));
    assert.equal(problemType(missing), 'badCSR');
    const garbage = await c.post(order.finalize, { csr: b64u('not a csr') });
    assert.equal(problemType(garbage), 'badCSR');

    const done = await c.post(order.finalize, await csrFor(['app.coffer.test', 'www.coffer.test']));
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.status, 'valid');
    const cert = await c.post(done.body.certificate, '');
    assert.equal(cert.status, 200);
    assert.equal(cert.type, 'application/pem-certificate-chain');
    const chain = cert.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    assert.equal(chain.length, 2, 'leaf and the issuing CA');
    const leafFile = x.file('flow-leaf.pem', chain[0]! + '\n');
    const v = openssl(['verify', '-CAfile', caFile, leafFile]);
    assert.equal(v.status, 0, v.out);
    const text = openssl(['x509', '-in', leafFile, '-noout', '-ext', 'subjectAltName,extendedKeyUsage']).out;
    assert.match(text, /DNS:app\.coffer\.test/);
    assert.match(text, /DNS:www\.coffer\.test/);
    assert.match(text, /TLS Web Server Authentication/);
    assert.doesNotMatch(text, /Client Authentication/);
    assert.equal((await c.post(url, '')).body.status, 'valid');
    const again = await c.post(order.finalize, await csrFor(['app.coffer.test', 'www.coffer.test']));
    assert.equal(problemType(again), 'orderNotReady');
  });

  it('marks the authorization and the order invalid when the answer is wrong', async () => {
    const c = await client();
    const { order } = await provenOrder(c, ['bad.coffer.test'], true);
    assert.equal(order.status, 'invalid');
    const authz = (await c.post(order.authorizations[0], '')).body;
    assert.equal(authz.status, 'invalid');
    const ch = authz.challenges.find((h: any) => h.type === 'http-01');
    assert.equal(ch.status, 'invalid');
    assert.match(ch.error.type, /^urn:ietf:params:acme:error:/);
  });

  it('revokes as the ordering account or with the certificate key, never as another account; the CRL lists both', async () => {
    const c = await client();
    const issue = async (name: string) => {
      const { order } = await provenOrder(c, [name]);
      const req = await csrFor([name]);
      const done = await c.post(order.finalize, { csr: req.csr });
      const pem = (await c.post(done.body.certificate, '')).text.split(/(?<=-----END CERTIFICATE-----)/)[0]!.trim();
      return { cert: new x509.X509Certificate(pem), keys: req.keys };
    };
    const first = await issue('one.coffer.test');
    const second = await issue('two.coffer.test');
    const der = (cert: x509.X509Certificate) => b64u(Buffer.from(cert.rawData));

    const stranger = await client();
    const refused = await stranger.post(stranger.dir.revokeCert, { certificate: der(first.cert) });
    assert.equal(refused.status, 403);
    assert.equal(problemType(refused), 'unauthorized');
    assert.equal(problemType(await c.post(c.dir.revokeCert, { certificate: der(first.cert), reason: 7 })), 'badRevocationReason');

    const byAccount = await c.post(c.dir.revokeCert, { certificate: der(first.cert), reason: 1 });
    assert.equal(byAccount.status, 200, byAccount.text);
    assert.equal(problemType(await c.post(c.dir.revokeCert, { certificate: der(first.cert) })), 'alreadyRevoked');

    const jwk = await crypto.subtle.exportKey('jwk', second.keys.publicKey);
    const certKey = { alg: 'ES256', privateKey: second.keys.privateKey, jwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! } };
    const wrongKey = await c.post(c.dir.revokeCert, { certificate: der(second.cert) }, { jwk: true, key: await acmeKey() });
    assert.equal(problemType(wrongKey), 'unauthorized');
    const byKey = await c.post(c.dir.revokeCert, { certificate: der(second.cert) }, { jwk: true, key: certKey });
    assert.equal(byKey.status, 200, byKey.text);

    const crl = await x.fetchRaw('crl/pem');
    const listed = openssl(['crl', '-in', x.file('acme-crl.pem', crl.body), '-noout', '-text']).out;
    for (const cert of [first.cert, second.cert]) assert.match(listed, new RegExp(`Serial Number: ${cert.serialNumber.toUpperCase()}`));
  });

  it('never validates against an address outside allowed_challenge_networks', async () => {
    await x.write('config/acme', { enabled: true, dns_resolver: dns.resolver, allowed_challenge_networks: '10.0.0.0/8' });
    try {
      const c = await client();
      const { order } = await provenOrder(c, ['fenced.coffer.test']);
      assert.equal(order.status, 'invalid');
      const authz = (await c.post(order.authorizations[0], '')).body;
      const ch = authz.challenges.find((h: any) => h.type === 'http-01');
      assert.equal(ch.status, 'invalid');
      assert.match(ch.error.detail, /10\.0\.0\.0\/8/);
    } finally {
      // config/acme writes change only what they name: put every setting the test touched back.
      await x.write('config/acme', { enabled: true, dns_resolver: dns.resolver, eab_policy: 'not-required', default_directory_policy: 'sign-verbatim', allowed_roles: '*', allowed_issuers: '*', allowed_challenge_networks: [] });
    }
  });

  it("issues from the issuer an issuer/:ref/acme directory names, and only if allowed_issuers lets it", async () => {
    const second = x.file('second.pem', (await x.write('root/generate/internal', { common_name: 'Second Root', issuer_name: 'second', ttl: '8760h', key_type: 'ec' })).certificate);
    const c = await new AcmeClient(`${x.t.address}/v1/pki/issuer/second/acme/directory`, await acmeKey()).start();
    assert.equal((await c.register()).status, 201);
    const { order } = await provenOrder(c, ['second.coffer.test']);
    const done = await c.post(order.finalize, await csrFor(['second.coffer.test']));
    assert.equal(done.body.status, 'valid', done.text);
    const chain = (await c.post(done.body.certificate, '')).text;
    const leaf = x.file('second-leaf.pem', chain.split(/(?<=-----END CERTIFICATE-----)/)[0]!.trim() + '\n');
    assert.equal(openssl(['verify', '-CAfile', second, leaf]).status, 0);
    assert.notEqual(openssl(['verify', '-CAfile', caFile, leaf]).status, 0, 'not signed by the default issuer');

    await x.write('config/acme', { enabled: true, dns_resolver: dns.resolver, allowed_issuers: 'default' });
    try {
      const res = await fetch(`${x.t.address}/v1/pki/issuer/second/acme/directory`);
      assert.equal(res.status, 403);
      assert.match((await res.json()).detail, /allowed_issuers/);
    } finally {
      // config/acme writes change only what they name: put every setting the test touched back.
      await x.write('config/acme', { enabled: true, dns_resolver: dns.resolver, eab_policy: 'not-required', default_directory_policy: 'sign-verbatim', allowed_roles: '*', allowed_issuers: '*', allowed_challenge_networks: [] });
    }
  });
});
