/**
 * The ACME challenge validators against real servers on real ports: an HTTP server serving
 * (or not) the key authorization, names resolved by a throwaway dnsmasq, and TLS servers
 * presenting certificates built here. Each failure is checked for the ACME error type a
 * client would be told and for a detail naming the problem.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChallengeFailed, validateChallenge, type ChallengeErrorType, type ChallengeInput } from '../src/engines/pki/acme/challenges/index.js';
import { startDnsmasq, type TestDns } from './helpers/dnsmasq.js';

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

  it('refuses a wildcard name', async () => {
    await failure(challenge({ identifier: { type: 'dns', value: '*.coffer.test' } }), 'rejectedIdentifier', /wildcard \*\.coffer\.test; use dns-01/);
  });
});
