/**
 * tls-alpn-01 (RFC 8737; IP identifiers RFC 8738 section 6): a TLS handshake to <address>:443
 * offering only the ALPN protocol acme-tls/1 must present a certificate for exactly that name
 * carrying, in the critical acmeIdentifier extension, SHA-256 of the key authorization. The
 * certificate is self-signed by design, so its chain is never verified; what proves control
 * is the digest, and the negotiated protocol shows the responder knew it was asked for ACME.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { canonicalIp } from '../identifiers.js';
import * as x509 from '@peculiar/x509';
import type { Budget } from './budget.js';
import { connectionProblem, endpoint } from './connection-problem.js';
import { addressGuard, assertReachable } from './network-guard.js';
import { normalizeName, resolveAddresses } from './resolve.js';
import { ChallengeFailed, type ChallengeInput } from './types.js';

export const ACME_TLS_ALPN = 'acme-tls/1';
/** id-pe-acmeIdentifier */
export const ACME_IDENTIFIER_OID = '1.3.6.1.5.5.7.1.31';

/** RFC 8738: an IP is named in SNI by its reverse-DNS name. */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail] = canonicalIp(ip).split('::');
  const before = head === '' ? [] : head.split(':');
  const after = tail === undefined || tail === '' ? [] : tail.split(':');
  const full = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  const nibbles = full.map((g) => g.padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
}

export async function validateTlsAlpn01(input: ChallengeInput, budget: Budget): Promise<void> {
  const name = normalizeName(input.identifier.value);
  if (name.startsWith('*.')) throw new ChallengeFailed('rejectedIdentifier', `tls-alpn-01 cannot prove control of the wildcard ${name}; use dns-01`);
  const ip = input.identifier.type === 'ip';
  const addresses = ip ? [name] : await resolveAddresses(name, input.dnsResolver, budget);
  assertReachable(name, addresses, addressGuard(input.allowedNetworks));
  const port = input.tlsPort ?? 443;
  const sni = ip ? reverseName(name) : name;
  let last: unknown;
  for (const address of addresses) {
    let der: Buffer;
    try {
      der = await handshake(address, port, sni, name, budget);
    } catch (err) {
      last = err;
      // A refused or failed connection may work at the next address; a wrong answer gets no second try.
      if (err instanceof ChallengeFailed || budget.signal.aborted) break;
      continue;
    }
    return checkCertificate(der, input, `${endpoint(address, port)} (${name})`);
  }
  throw connectionProblem(last, addresses[addresses.length - 1]!, port, name);
}

/** Connects with only acme-tls/1 offered; the peer's certificate in DER once that protocol was agreed. */
function handshake(address: string, port: number, sni: string, name: string, budget: Budget): Promise<Buffer> {
  budget.doing('connection', `the TLS handshake with ${endpoint(address, port)} (${name})`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, servername: sni, ALPNProtocols: [ACME_TLS_ALPN], rejectUnauthorized: false });
    const abort = () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ABORT_ERR' }));
    budget.signal.addEventListener('abort', abort, { once: true });
    socket.once('secureConnect', () => {
      const alpn = socket.alpnProtocol;
      const der = socket.getPeerCertificate().raw;
      socket.end();
      budget.signal.removeEventListener('abort', abort);
      if (alpn !== ACME_TLS_ALPN) {
        reject(new ChallengeFailed('tls', `${endpoint(address, port)} (${name}) did not negotiate the ALPN protocol ${ACME_TLS_ALPN} (it chose ${alpn ? JSON.stringify(alpn) : 'none'})`));
      } else if (!der) {
        reject(new ChallengeFailed('tls', `${endpoint(address, port)} (${name}) presented no certificate`));
      } else resolve(der);
    });
    socket.once('error', (err) => {
      budget.signal.removeEventListener('abort', abort);
      reject(err); // a socket error, left raw so the caller can try the next address
    });
  });
}

function checkCertificate(der: Buffer, input: ChallengeInput, at: string): void {
  const wrong = (why: string) => new ChallengeFailed('incorrectResponse', `the tls-alpn-01 certificate from ${at} ${why}`);
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(new Uint8Array(der));
  } catch {
    throw wrong('is not a readable X.509 certificate');
  }
  const ip = input.identifier.type === 'ip';
  const want = ip ? canonicalIp(normalizeName(input.identifier.value)) : normalizeName(input.identifier.value);
  let names: { type: string; value: string }[];
  try {
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    names = san ? san.names.items.map((n) => ({ type: n.type, value: n.value })) : [];
  } catch {
    throw wrong('has a subjectAltName with entries other than one name');
  }
  const only = names.length === 1 ? names[0]! : undefined;
  const matches = only !== undefined && (ip ? only.type === 'ip' && canonicalIp(only.value) === want : only.type === 'dns' && only.value.toLowerCase() === want);
  if (!matches) {
    const listed = names.length === 0 ? 'no subjectAltName' : names.map((n) => `${n.type}:${n.value}`).join(', ');
    throw wrong(`must name exactly ${ip ? 'IP' : 'DNS'}:${want} as its only subjectAltName, and has ${listed}`);
  }
  const ext = cert.getExtension(ACME_IDENTIFIER_OID);
  if (!ext) throw wrong(`has no acmeIdentifier extension (${ACME_IDENTIFIER_OID})`);
  if (!ext.critical) throw wrong(`has the acmeIdentifier extension (${ACME_IDENTIFIER_OID}) but not marked critical`);
  let digest: Buffer;
  try {
    digest = Buffer.from(AsnConvert.parse(ext.value, OctetString).buffer);
  } catch {
    throw wrong('has an acmeIdentifier extension that is not an OCTET STRING');
  }
  const expected = createHash('sha256').update(input.keyAuthorization).digest();
  if (digest.length !== expected.length || !timingSafeEqual(digest, expected)) {
    throw wrong(`has an acmeIdentifier digest ${digest.toString('hex').slice(0, 64)} that is not SHA-256 of the key authorization (${expected.toString('hex')})`);
  }
}
