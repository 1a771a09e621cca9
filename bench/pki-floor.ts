/**
 * The floor for bench/pki.ts: the same work as one issue/:role or sign/:role, with the same
 * library (@peculiar/x509 on node's webcrypto) and no server, `concurrency` at a time in one
 * process (key generation and signing run on libuv's thread pool, as in the server).
 * `node pki-floor.js @<spec.json>`; prints one JSON line (a FloorResult).
 *
 * issue: a new key pair of the leaf type, its PKCS#8 export, and a certificate with the
 * extensions the engine puts in (SKI, AKI, key usage, EKU, SAN) signed by the issuer key.
 * sign: the CSR parsed and its signature verified, then the same certificate.
 */
import { readFileSync } from 'node:fs';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface FloorSpec {
  kind: 'issue-ec' | 'issue-rsa' | 'sign-ec';
  count: number;
  concurrency: number;
  /** PEM of a P-256 CSR, for sign-ec */
  csr?: string;
}

export interface FloorResult {
  count: number;
  seconds: number;
  perSecond: number;
  /** process CPU (all threads, user+sys) per certificate, ms: comparable when the machine is shared */
  cpuMsPer: number;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' };
const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

const spec = JSON.parse(readFileSync(process.argv[2]!.slice(1), 'utf8')) as FloorSpec;

// The issuer: an EC P-256 root, as bench/pki.ts makes on the server.
const issuerKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
const now = Date.now();
const issuer = await x509.X509CertificateGenerator.createSelfSigned({
  serialNumber: '01',
  name: 'CN=Floor Root',
  notBefore: new Date(now),
  notAfter: new Date(now + 365 * 86400e3),
  keys: issuerKeys,
  signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
});

async function leafFor(publicKey: CryptoKey | x509.PublicKey, cn: string): Promise<string> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(20).toString('hex').replace(/^./, '1'),
    subject: [{ CN: [cn] }],
    issuer: issuer.subjectName,
    notBefore: new Date(Date.now() - 30e3),
    notAfter: new Date(Date.now() + 3600e3),
    publicKey,
    signingKey: issuerKeys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: cn }]),
    ],
  });
  return cert.toString('pem');
}

async function once(): Promise<void> {
  if (spec.kind === 'sign-ec') {
    const csr = new x509.Pkcs10CertificateRequest(spec.csr!);
    if (!(await csr.verify())) throw new Error('CSR does not verify');
    await leafFor(csr.publicKey, 'bench.example.com');
    return;
  }
  const keys = (await webcrypto.subtle.generateKey(spec.kind === 'issue-ec' ? EC : RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  await leafFor(keys.publicKey, 'bench.example.com');
}

let started = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, async () => {
  while (started++ < spec.count) await once();
}));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuMsPer = (cpu.user + cpu.system) / 1000 / spec.count;
process.stdout.write(JSON.stringify({ count: spec.count, seconds, perSecond: spec.count / seconds, cpuMsPer } satisfies FloorResult) + '\n');
