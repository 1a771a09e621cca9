/**
 * The ACME challenge validators against real servers on real ports: an HTTP server serving
 * (or not) the key authorization, names resolved by a throwaway dnsmasq, and TLS servers
 * presenting certificates built here. Each failure is checked for the ACME error type a
 * client would be told and for a detail naming the problem.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ChallengeFailed, dnsTxtValue, validateChallenge, type ChallengeErrorType, type ChallengeInput } from '../src/engines/pki/acme/challenges/index.js';
import { startDnsmasq, type TestDns } from './helpers/dnsmasq.js';
import { alpnCertificate, startTlsResponder, type AlpnCertificateOptions } from './helpers/tls-alpn-responder.js';
import { selfSignedCert } from './helpers/tls-cert.js';

const run = promisify(execFile);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let dns: TestDns;
let http: Server;
let httpPort = 0;
/** What the HTTP server saw, newest last. */
const seen: { host: string | undefined; url: string | undefined }[] = [];
const routes = new Map<string, Handler>();

function challenge(overrides: Partial<ChallengeInput> = {}): ChallengeInput {
  const token = randomBytes(16).toString('base64url');
  return {
    type: 'http-01',
    identifier: { type: 'dns', value: 'www.coffer.test' },
    token,
    keyAuthorization: `${token}.${randomBytes(32).toString('base64url')}`,
    dnsResolver: dns.resolver,
    timeoutMs: 2000,
    httpPort,
    ...overrides,
  };
}

const pathOf = (c: ChallengeInput) => `/.well-known/acme-challenge/${c.token}`;

function serve(path: string, handler: Handler | string): void {
  routes.set(path, typeof handler === 'string' ? (_req, res) => res.end(handler) : handler);
}

async function failure(input: ChallengeInput, type: ChallengeErrorType, detail: RegExp): Promise<ChallengeFailed> {
  const err = await validateChallenge(input).then(
    () => assert.fail('the validation passed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ChallengeFailed, `not a ChallengeFailed: ${String(err)}`);
  assert.equal(err.acmeType, type, err.message);
  assert.match(err.message, detail);
  return err;
}

before(async () => {
  dns = await startDnsmasq({ addresses: { 'coffer.test': '127.0.0.1', 'metadata.coffer.test': '169.254.169.254' } });
  http = createServer((req, res) => {
    seen.push({ host: req.headers.host, url: req.url });
    const handler = routes.get(req.url ?? '');
    if (handler) handler(req, res);
    else res.writeHead(404).end('not here\n');
  });
  http.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  httpPort = (http.address() as AddressInfo).port;
});

after(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await dns.stop();
});

describe('http-01', () => {
  it('passes when the name serves the key authorization, asked for with the name as Host, at the address our resolver gave', async () => {
    // www.coffer.test exists only in the test dnsmasq: an HTTP client that looked the name up
    // again through the system resolver could not have reached this server.
    const c = challenge();
    serve(pathOf(c), `${c.keyAuthorization}\n`);
    await validateChallenge(c);
    assert.deepEqual(seen.at(-1), { host: `www.coffer.test:${httpPort}`, url: pathOf(c) });
  });

  it('fails with incorrectResponse naming what was served when the body is wrong', async () => {
    const c = challenge();
    serve(pathOf(c), 'someone-elses-token.abc');
    await failure(c, 'incorrectResponse', /answered "someone-elses-token\.abc", not the key authorization/);
  });

  it('fails with unauthorized naming the status when the file is missing', async () => {
    await failure(challenge(), 'unauthorized', /answered HTTP 404/);
  });

  it('follows a redirect to another name, resolving it again', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.writeHead(302, { location: `http://other.coffer.test:${httpPort}/moved/${c.token}` }).end());
    serve(`/moved/${c.token}`, c.keyAuthorization);
    await validateChallenge(c);
    assert.equal(seen.at(-1)?.host, `other.coffer.test:${httpPort}`);
  });

  it('follows a redirect to https on the TLS port without checking the certificate, as public CAs do', async () => {
    const c = challenge();
    const tls = selfSignedCert('not-the-name');
    const https = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      seen.push({ host: req.headers.host, url: req.url });
      res.end(req.url === `/secure/${c.token}` ? c.keyAuthorization : 'wrong');
    });
    https.listen(0, '127.0.0.1');
    await new Promise((resolve) => https.once('listening', resolve));
    const tlsPort = (https.address() as AddressInfo).port;
    try {
      serve(pathOf(c), (_req, res) => res.writeHead(301, { location: `https://secure.coffer.test:${tlsPort}/secure/${c.token}` }).end());
      await validateChallenge({ ...c, tlsPort });
      assert.deepEqual(seen.at(-1), { host: `secure.coffer.test:${tlsPort}`, url: `/secure/${c.token}` });
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  });

  it('resolves through the system resolver when no DNS resolver is configured', async () => {
    const c = challenge({ identifier: { type: 'dns', value: 'localhost' }, dnsResolver: '' });
    serve(pathOf(c), c.keyAuthorization);
    await validateChallenge(c);
    assert.equal(seen.at(-1)?.host, `localhost:${httpPort}`);
  });

  it('tries the next address when one refuses the connection (IPv6 first, then IPv4)', async () => {
    await dns.setHost('dual.coffer.test', ['127.0.0.1', '::1']); // nothing listens on ::1
    const c = challenge({ identifier: { type: 'dns', value: 'dual.coffer.test' } });
    serve(pathOf(c), c.keyAuthorization);
    await validateChallenge(c);
    assert.equal(seen.at(-1)?.host, `dual.coffer.test:${httpPort}`);
  });

  it('fails with connection on a redirect loop', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.writeHead(301, { location: `/loop/${c.token}` }).end());
    serve(`/loop/${c.token}`, (_req, res) => res.writeHead(307, { location: pathOf(c) }).end());
    await failure(c, 'connection', /redirect loop/);
  });

  it('stops after 10 redirects', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.writeHead(302, { location: `/hop/1` }).end());
    for (let i = 1; i <= 12; i++) serve(`/hop/${i}`, (_req, res) => res.writeHead(302, { location: `/hop/${i + 1}` }).end());
    const before = seen.length;
    await failure(c, 'connection', /more than 10 redirects/);
    assert.equal(seen.length - before, 11, 'the first request and 10 redirects were fetched');
  });

  it('refuses a redirect to a port other than 80/443 (here: the test ports)', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.writeHead(302, { location: `http://www.coffer.test:8080/x` }).end());
    await failure(c, 'connection', /port 8080 is not allowed/);
  });

  it('refuses a redirect to another scheme', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.writeHead(302, { location: `ftp://www.coffer.test/x` }).end());
    await failure(c, 'connection', /only http and https redirects/);
  });

  it('refuses, without connecting, a name resolving outside the allowed networks', async () => {
    const c = challenge({ allowedNetworks: ['10.0.0.0/8', 'fd00::/8'] });
    serve(pathOf(c), c.keyAuthorization);
    const before = seen.length;
    await failure(c, 'rejectedIdentifier', /www\.coffer\.test resolves to 127\.0\.0\.1: outside the networks challenges may reach \(10\.0\.0\.0\/8, fd00::\/8\)/);
    assert.equal(seen.length, before, 'no request reached the server');
  });

  it('passes when the address is inside the allowed networks', async () => {
    const c = challenge({ allowedNetworks: ['127.0.0.0/8'] });
    serve(pathOf(c), c.keyAuthorization);
    await validateChallenge(c);
  });

  it('never connects to a link-local (cloud metadata) address, even with no allowed networks set', async () => {
    const c = challenge({ identifier: { type: 'dns', value: 'metadata.coffer.test' } });
    await failure(c, 'rejectedIdentifier', /metadata\.coffer\.test resolves to 169\.254\.169\.254: a link-local address/);
  });

  it('checks every redirect target against the same rules', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.writeHead(302, { location: `http://metadata.coffer.test:${httpPort}/latest/meta-data/` }).end());
    await failure(c, 'rejectedIdentifier', /169\.254\.169\.254/);
  });

  it('never connects to the unspecified address given as an IP identifier', async () => {
    await failure(challenge({ identifier: { type: 'ip', value: '0.0.0.0' } }), 'rejectedIdentifier', /address 0\.0\.0\.0: an unspecified/);
  });

  it('validates an IP identifier at that address, without DNS', async () => {
    const c = challenge({ identifier: { type: 'ip', value: '127.0.0.1' }, dnsResolver: '127.0.0.1:1' });
    serve(pathOf(c), c.keyAuthorization);
    await validateChallenge(c);
    assert.equal(seen.at(-1)?.host, `127.0.0.1:${httpPort}`);
  });

  it('fails with dns on a name that does not exist', async () => {
    await failure(challenge({ identifier: { type: 'dns', value: 'nothing.example.invalid' } }), 'dns', /NXDOMAIN: nothing\.example\.invalid does not exist/);
  });

  it('fails with dns on a name that has no A or AAAA records', async () => {
    await dns.setTxt('txt-only.example.test', ['just text']);
    await failure(challenge({ identifier: { type: 'dns', value: 'txt-only.example.test' } }), 'dns', /no A\/AAAA records for txt-only\.example\.test/);
  });

  it('fails with connection, naming the address and port, when nothing listens', async () => {
    await failure(challenge({ httpPort: 1 }), 'connection', /127\.0\.0\.1:1 \(www\.coffer\.test\): connection refused/);
  });

  it('reads no more than a few KB of the answer', async () => {
    const c = challenge();
    serve(pathOf(c), (_req, res) => res.end('x'.repeat(1 << 20)));
    await failure(c, 'incorrectResponse', /more than 4096 bytes/);
  });

  it('gives up within its time budget when the server never answers', async () => {
    const c = challenge({ timeoutMs: 300 });
    serve(pathOf(c), () => undefined);
    const started = Date.now();
    await failure(c, 'connection', /did not finish within 300 ms/);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  it('refuses a malformed identifier before resolving or connecting', async () => {
    await failure(challenge({ identifier: { type: 'dns', value: 'www.coffer.test/@evil' } }), 'rejectedIdentifier', /"www\.coffer\.test\/@evil" is not a DNS name/);
    await failure(challenge({ identifier: { type: 'ip', value: 'www.coffer.test' } }), 'rejectedIdentifier', /"www\.coffer\.test" is not an IP address/);
  });

  it('refuses a wildcard name', async () => {
    await failure(challenge({ identifier: { type: 'dns', value: '*.coffer.test' } }), 'rejectedIdentifier', /wildcard \*\.coffer\.test; use dns-01/);
  });
});

describe('dns-01', () => {
  const dns01 = (name: string, overrides: Partial<ChallengeInput> = {}) => challenge({ type: 'dns-01', identifier: { type: 'dns', value: name }, ...overrides });

  it('passes when _acme-challenge.<name> holds base64url(SHA-256(key authorization)) among other values', async () => {
    const c = dns01('dns.coffer.test');
    await dns.setTxt('_acme-challenge.dns.coffer.test', ['an-older-value', dnsTxtValue(c.keyAuthorization)]);
    await validateChallenge(c);
  });

  it('proves a wildcard at its base name', async () => {
    const c = dns01('*.wild.coffer.test');
    await dns.setTxt('_acme-challenge.wild.coffer.test', [dnsTxtValue(c.keyAuthorization)]);
    await validateChallenge(c);
  });

  it('follows a CNAME delegating the record to another zone', async () => {
    const c = dns01('delegated.coffer.test');
    await dns.setTxt('_acme-challenge.delegated.acme-zone.test', [dnsTxtValue(c.keyAuthorization)]);
    await dns.setCname('_acme-challenge.delegated.coffer.test', '_acme-challenge.delegated.acme-zone.test');
    await validateChallenge(c);
  });

  it('fails with incorrectResponse naming the record and what it holds when the value is wrong', async () => {
    const c = dns01('wrong.coffer.test');
    await dns.setTxt('_acme-challenge.wrong.coffer.test', ['not-the-digest']);
    await failure(c, 'incorrectResponse', /_acme-challenge\.wrong\.coffer\.test has 1 TXT value\(s\): "not-the-digest"; none is the expected "[A-Za-z0-9_-]{43}"/);
  });

  it('fails with dns NXDOMAIN when the record does not exist', async () => {
    await failure(dns01('nothing.coffer.test'), 'dns', /NXDOMAIN: _acme-challenge\.nothing\.coffer\.test does not exist/);
  });

  it('fails with dns, naming the resolver, when it never answers', async () => {
    const silent = createSocket('udp4');
    silent.bind(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const resolver = `127.0.0.1:${silent.address().port}`;
    try {
      const err = await failure(dns01('slow.coffer.test', { dnsResolver: resolver, timeoutMs: 300 }), 'dns', /timed out|did not finish/);
      assert.match(err.message, new RegExp(resolver));
    } finally {
      silent.close();
    }
  });

  it("publishes and removes the record through the lego exec hook, called as lego calls it", async () => {
    const c = dns01('hook.coffer.test');
    const value = dnsTxtValue(c.keyAuthorization);
    await run(dns.legoExecPath, ['present', '_acme-challenge.hook.coffer.test.', value]);
    assert.deepEqual(dns.txt('_acme-challenge.hook.coffer.test'), [value]);
    await validateChallenge(c);
    await run(dns.legoExecPath, ['cleanup', '_acme-challenge.hook.coffer.test.', value]);
    await failure(c, 'dns', /NXDOMAIN: _acme-challenge\.hook\.coffer\.test/);
  });

  it('also takes lego exec RAW mode (domain, token, key authorization)', async () => {
    const c = dns01('*.raw.coffer.test');
    await run(dns.legoExecPath, ['present', '--', '*.raw.coffer.test', c.token, c.keyAuthorization]);
    await validateChallenge(c);
    await run(dns.legoExecPath, ['cleanup', '--', '*.raw.coffer.test', c.token, c.keyAuthorization]);
    assert.deepEqual(dns.txt('_acme-challenge.raw.coffer.test'), []);
  });

  it('publishes and removes the record through the certbot manual hooks, with the environment certbot sets', async () => {
    const c = dns01('*.certbot.coffer.test');
    const env = { ...process.env, CERTBOT_DOMAIN: 'certbot.coffer.test', CERTBOT_VALIDATION: dnsTxtValue(c.keyAuthorization) };
    await run(dns.certbotHooks.auth, [], { env });
    await validateChallenge(c);
    await run(dns.certbotHooks.cleanup, [], { env });
    assert.deepEqual(dns.txt('_acme-challenge.certbot.coffer.test'), []);
  });

  it('refuses an IP identifier', async () => {
    await failure(challenge({ type: 'dns-01', identifier: { type: 'ip', value: '127.0.0.1' } }), 'rejectedIdentifier', /not of the IP address 127\.0\.0\.1/);
  });
});

describe('tls-alpn-01', () => {
  const name = 'tls.coffer.test';

  async function attempt(cert: AlpnCertificateOptions, alpn?: string[], overrides: Partial<ChallengeInput> = {}) {
    const c = challenge({ type: 'tls-alpn-01', identifier: { type: 'dns', value: name }, ...overrides });
    const responder = await startTlsResponder(await alpnCertificate({ ...cert, digestOf: cert.digestOf === 'KEYAUTH' ? c.keyAuthorization : cert.digestOf }), alpn);
    return { c: { ...c, tlsPort: responder.port }, responder };
  }

  it('passes for a certificate naming only the name with the critical acmeIdentifier digest, over acme-tls/1 with SNI = name', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }], digestOf: 'KEYAUTH' });
    try {
      await validateChallenge(c);
      assert.deepEqual(responder.servernames, [name]);
    } finally {
      await responder.close();
    }
  });

  it('fails with incorrectResponse when the digest is of something else', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }], digestOf: 'another-token.another-thumbprint' });
    await failure(c, 'incorrectResponse', /acmeIdentifier digest [0-9a-f]{64} that is not SHA-256 of the key authorization/).finally(() => responder.close());
  });

  it('fails with incorrectResponse when the acmeIdentifier extension is missing', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }] });
    await failure(c, 'incorrectResponse', /has no acmeIdentifier extension \(1\.3\.6\.1\.5\.5\.7\.1\.31\)/).finally(() => responder.close());
  });

  it('fails with incorrectResponse when the extension is not critical', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }], digestOf: 'KEYAUTH', critical: false });
    await failure(c, 'incorrectResponse', /not marked critical/).finally(() => responder.close());
  });

  it('fails with incorrectResponse when the certificate names more than the identifier', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }, { type: 'dns', value: 'extra.coffer.test' }], digestOf: 'KEYAUTH' });
    await failure(c, 'incorrectResponse', /must name exactly DNS:tls\.coffer\.test as its only subjectAltName, and has dns:tls\.coffer\.test, dns:extra\.coffer\.test/).finally(() => responder.close());
  });

  it('fails with tls when the server does not negotiate acme-tls/1', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }], digestOf: 'KEYAUTH' }, []);
    await failure(c, 'tls', /did not negotiate the ALPN protocol acme-tls\/1 \(it chose none\)/).finally(() => responder.close());
  });

  it('fails with tls when the server speaks only other protocols', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }], digestOf: 'KEYAUTH' }, ['h2', 'http/1.1']);
    await failure(c, 'tls', /TLS handshake with 127\.0\.0\.1:\d+ \(tls\.coffer\.test\) failed/).finally(() => responder.close());
  });

  it('fails with tls when the port speaks plain HTTP, and with connection when nothing listens', async () => {
    const c = challenge({ type: 'tls-alpn-01', identifier: { type: 'dns', value: name } });
    await failure({ ...c, tlsPort: httpPort }, 'tls', new RegExp(`TLS handshake with 127\\.0\\.0\\.1:${httpPort} \\(tls\\.coffer\\.test\\) failed`));
    await failure({ ...c, tlsPort: 1 }, 'connection', /127\.0\.0\.1:1 \(tls\.coffer\.test\): connection refused/);
  });

  it('tries the next address when one refuses the connection', async () => {
    await dns.setHost('dual-tls.coffer.test', ['127.0.0.1', '::1']);
    const c = challenge({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'dual-tls.coffer.test' } });
    const responder = await startTlsResponder(await alpnCertificate({ names: [{ type: 'dns', value: 'dual-tls.coffer.test' }], digestOf: c.keyAuthorization }));
    try {
      await validateChallenge({ ...c, tlsPort: responder.port });
      assert.deepEqual(responder.servernames, ['dual-tls.coffer.test']);
    } finally {
      await responder.close();
    }
  });

  it('validates an IP identifier with its reverse name as SNI and an IP subjectAltName (RFC 8738)', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'ip', value: '127.0.0.1' }], digestOf: 'KEYAUTH' }, undefined, { identifier: { type: 'ip', value: '127.0.0.1' } });
    try {
      await validateChallenge(c);
      assert.deepEqual(responder.servernames, ['1.0.0.127.in-addr.arpa']);
    } finally {
      await responder.close();
    }
  });

  it('refuses a name resolving outside the allowed networks before any handshake', async () => {
    const { c, responder } = await attempt({ names: [{ type: 'dns', value: name }], digestOf: 'KEYAUTH' }, undefined, { allowedNetworks: ['192.0.2.0/24'] });
    await failure(c, 'rejectedIdentifier', /tls\.coffer\.test resolves to 127\.0\.0\.1: outside the networks/).finally(() => responder.close());
    assert.deepEqual(responder.servernames, []);
  });
});
