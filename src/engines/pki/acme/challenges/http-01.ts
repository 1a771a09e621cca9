/**
 * http-01 (RFC 8555 section 8.3): the key authorization must be served as plain text at
 * http://<name>/.well-known/acme-challenge/<token>. Every hop connects to an address this
 * file resolved and checked, never to whatever a client library would look up, and only
 * ports 80 and 443 are reachable through redirects, so a challenge cannot be used to reach
 * arbitrary services.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Budget } from './budget.js';
import { connectionProblem, endpoint } from './connection-problem.js';
import { addressGuard, assertReachable, type AddressGuard } from './network-guard.js';
import { normalizeName, resolveAddresses } from './resolve.js';
import { ChallengeFailed, type ChallengeInput } from './types.js';

const MAX_REDIRECTS = 10;
/** A key authorization is under 200 bytes; anything much longer is not one. */
const MAX_BODY_BYTES = 4096;
const TOKEN = /^[A-Za-z0-9_-]+$/;

interface Fetched {
  status: number;
  location: string | undefined;
  body: Buffer;
  tooLarge: boolean;
}

export async function validateHttp01(input: ChallengeInput, budget: Budget): Promise<void> {
  const name = normalizeName(input.identifier.value);
  if (name.startsWith('*.')) throw new ChallengeFailed('rejectedIdentifier', `http-01 cannot prove control of the wildcard ${name}; use dns-01`);
  if (!TOKEN.test(input.token)) throw new ChallengeFailed('incorrectResponse', 'the challenge token is not base64url');
  const ports = { 'http:': input.httpPort ?? 80, 'https:': input.tlsPort ?? 443 };
  const guard = addressGuard(input.allowedNetworks);
  let url = new URL(`http://${hostForUrl(name)}:${ports['http:']}/.well-known/acme-challenge/${input.token}`);
  const seen = new Set<string>();
  for (let hop = 0; ; hop++) {
    seen.add(url.href);
    const res = await fetchOnce(url, input.dnsResolver, guard, budget);
    if ([301, 302, 303, 307, 308].includes(res.status) && res.location !== undefined) {
      url = nextHop(url, res.location, ports, seen, hop);
      continue;
    }
    if (res.status !== 200) throw new ChallengeFailed('unauthorized', `${url.href} answered HTTP ${res.status}, not 200 with the key authorization`);
    if (res.tooLarge) throw new ChallengeFailed('incorrectResponse', `${url.href} answered more than ${MAX_BODY_BYTES} bytes; a key authorization is a short line`);
    const got = res.body.toString('utf8').trim();
    if (got !== input.keyAuthorization) {
      throw new ChallengeFailed('incorrectResponse', `${url.href} answered ${JSON.stringify(got.slice(0, 100))}, not the key authorization ${JSON.stringify(input.keyAuthorization)}`);
    }
    return;
  }
}

function hostForUrl(name: string): string {
  return isIP(name) === 6 ? `[${name}]` : name;
}

/** The redirect target, when it is one a validator may follow. */
function nextHop(from: URL, location: string, ports: Record<'http:' | 'https:', number>, seen: Set<string>, hop: number): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new ChallengeFailed('connection', `${from.href} redirected to ${JSON.stringify(location)}, which is not a URL`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    throw new ChallengeFailed('connection', `${from.href} redirected to ${to.href}: only http and https redirects are followed`);
  }
  const port = to.port === '' ? (to.protocol === 'http:' ? 80 : 443) : Number(to.port);
  if (port !== ports[to.protocol]) {
    throw new ChallengeFailed('connection', `${from.href} redirected to ${to.href}: port ${port} is not allowed, only ${ports['http:']} for http and ${ports['https:']} for https`);
  }
  if (seen.has(to.href)) throw new ChallengeFailed('connection', `redirect loop: ${from.href} redirected back to ${to.href}`);
  if (hop + 1 > MAX_REDIRECTS) throw new ChallengeFailed('connection', `more than ${MAX_REDIRECTS} redirects, the last to ${to.href}`);
  return to;
}

/** One GET: resolve the URL's host, check every address, try them in order until one answers. */
async function fetchOnce(url: URL, dnsResolver: string, guard: AddressGuard, budget: Budget): Promise<Fetched> {
  const name = normalizeName(url.hostname);
  const addresses = await resolveAddresses(name, dnsResolver, budget);
  assertReachable(name, addresses, guard);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let last: unknown;
  for (const address of addresses) {
    try {
      return await getFrom(url, address, port, name, budget);
    } catch (err) {
      last = err;
      if (budget.signal.aborted) break;
    }
  }
  throw connectionProblem(last, addresses[addresses.length - 1]!, port, name);
}

function getFrom(url: URL, address: string, port: number, name: string, budget: Budget): Promise<Fetched> {
  const https = url.protocol === 'https:';
  const options = {
    host: address,
    port,
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    headers: { Host: url.host, 'User-Agent': 'Coffer ACME validator', Accept: '*/*', Connection: 'close' },
    agent: false as const,
    signal: budget.signal,
    timeout: budget.remainingMs(),
    // A redirect to https is followed without checking the certificate, as public CAs do:
    // http-01 proves control by the answer, not by a certificate.
    ...(https ? { rejectUnauthorized: false, ...(isIP(name) === 0 ? { servername: name } : {}) } : {}),
  };
  budget.doing('connection', `fetching ${url.href} from ${endpoint(address, port)}`);
  return new Promise<Fetched>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(options, (res) => readBody(res).then(resolve, reject));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(connectionProblem(err, address, port, name)));
    req.end();
  });
}

function readBody(res: IncomingMessage): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (tooLarge: boolean) => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks), tooLarge });
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy();
        done(true);
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => done(false));
    res.on('error', reject);
  });
}
