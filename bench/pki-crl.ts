/**
 * PKI revocation at scale, each figure beside its floor measured in the same run:
 * - 100,000 revocations (auto_rebuild on, so none rebuilds the CRL), then one crl/rotate
 *   over all of them, beside the bare @peculiar/x509 X509CrlGenerator.create over the same
 *   100,000 entries with the same key and no server; and what a single revocation costs when
 *   auto_rebuild is off and it rebuilds that CRL before answering.
 * - OCSP answers per second: concurrent POSTs over keep-alive (load.js, its own process)
 *   beside a bare node:http server answering one fixed OCSP response.
 * Run alone (2 cores shared): node dist/bench/pki-crl.js [count] [ocsp-requests]
 * The 100,000 stored certificates are one real leaf's entry copied under fresh serials
 * (seeding them by issuing would time ECDSA signing, not revocation).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, CertificateList, RevokedCertificate, TBSCertList, Time, Version } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { silentLogger } from '../src/logging/logger.js';
import { putJson } from '../src/logical/storage.js';
import { colonHex, randomSerialHex } from '../src/engines/pki/cert.js';
import { encodeCrl } from '../src/engines/pki/crl-encode.js';
import { signatureAlgorithm, signDer } from '../src/engines/pki/der.js';
import { certKey } from '../src/engines/pki/leaf.js';
import { getKey, findIssuer } from '../src/engines/pki/storage.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';
import { startChild } from './child.js';
import type { LoadResult } from './load.js';
import { randomBytes } from 'node:crypto';

const COUNT = Number(process.argv[2] ?? 100_000);
const OCSP_REQUESTS = Number(process.argv[3] ?? 20_000);
const server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, {}, silentLogger);
const { core } = server;
const token = server.dev!.rootToken;
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const call = async (operation: 'read' | 'update', path: string, data: Record<string, unknown> = {}) => {
  const r = await core.handle({ id: 'bench', operation, path, data, clientToken: token, headers: {} });
  if (r.status && r.status >= 400) throw new Error(`${path}: ${JSON.stringify(r)}`);
  return r;
};

await call('update', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } });
const root = (await call('update', 'pki/root/generate/internal', { common_name: 'Bench Root', ttl: '8760h', key_type: 'ec' })).data!;
await call('update', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true });
const leaf = (await call('update', 'pki/issue/web', { common_name: 'leaf.example.com', ttl: '720h' })).data!;
const storage = core.router.get('pki/')!.base.storage;

// Seed: the leaf's stored entry under COUNT fresh serials.
const serials: string[] = [];
for (let i = 0; i < COUNT; i++) {
  const serial = colonHex(randomSerialHex(randomBytes));
  serials.push(serial);
  await putJson(storage, certKey(serial), { certificate: leaf.certificate, issuerId: root.issuer_id, revocationTime: 0 });
}

await call('update', 'pki/config/crl', { auto_rebuild: true });
let t0 = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    for (let i = next++; i < COUNT; i = next++) await call('update', 'pki/revoke', { serial_number: serials[i] });
  }),
);
const revokeMs = since(t0);
console.log(`revoked ${COUNT.toLocaleString()} in ${revokeMs.toFixed(0)} ms: ${Math.round(COUNT / (revokeMs / 1000)).toLocaleString()}/s (auto_rebuild on: no CRL rebuild per revocation)`);

t0 = process.hrtime.bigint();
await call('read', 'pki/crl/rotate');
const rotateMs = since(t0);
const pem = (await call('read', 'pki/crl/pem')).file!.body.toString();
const dir = mkdtempSync(join(tmpdir(), 'coffer-pki-bench-'));
writeFileSync(join(dir, 'crl.pem'), pem);
const listed = execFileSync('sh', ['-c', `openssl crl -in ${join(dir, 'crl.pem')} -noout -text | grep -c 'Serial Number'`]).toString().trim();

// Floor: the same entries and key, no server. X509CrlGenerator.create cannot be it: it
// re-parses what it built, and asn1js refuses more than 10,000 nodes (~2,500 entries). So
// the library's own encoder (@peculiar/asn1-x509 CertificateList) and node:crypto's sign.
const issuer = (await findIssuer(storage, 'default'))!;
const key = (await getKey(storage, issuer.keyId))!;
const issuerCert = AsnConvert.parse(x509.PemConverter.decodeFirst(issuer.certificate), Certificate);
const when = new Date(Math.floor(Date.now() / 1000) * 1000);
t0 = process.hrtime.bigint();
const alg = signatureAlgorithm(key.spec);
const tbs = new TBSCertList({
  version: Version.v2,
  signature: alg.id,
  issuer: issuerCert.tbsCertificate.subject,
  thisUpdate: new Time({ utcTime: when }),
  nextUpdate: new Time({ utcTime: new Date(when.getTime() + 72 * 3600_000) }),
  revokedCertificates: serials.map((s) => new RevokedCertificate({ userCertificate: new Uint8Array(Buffer.from(s.replace(/:/g, ''), 'hex')).buffer, revocationDate: new Time({ utcTime: when }) })),
});
const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
AsnConvert.serialize(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: alg.id, signature: new Uint8Array(signDer(tbsDer, key.privateKey, key.spec)).buffer }));
const floorMs = since(t0);
// And Coffer's own encoder over the same entries held in memory: what the storage reads add.
t0 = process.hrtime.bigint();
const now = Math.floor(Date.now() / 1000);
encodeCrl({ issuerCertificate: issuer.certificate, key, thisUpdate: now, nextUpdate: now + 72 * 3600, entries: serials.map((serial) => ({ serial, time: now })), extensions: [] });
const encodeMs = since(t0);
console.log(
  `crl/rotate over ${Number(listed).toLocaleString()} revoked (counted by openssl): ${rotateMs.toFixed(0)} ms; ` +
    `bare @peculiar/asn1-x509 CertificateList encode + sign of the same entries: ${floorMs.toFixed(0)} ms (${(rotateMs / floorMs).toFixed(2)}x); ` +
    `Coffer's encoder alone over them in memory: ${encodeMs.toFixed(0)} ms (${(rotateMs / encodeMs).toFixed(2)}x)`,
);

await call('update', 'pki/config/crl', { auto_rebuild: false });
const one = colonHex(randomSerialHex(randomBytes));
await putJson(storage, certKey(one), { certificate: leaf.certificate, issuerId: root.issuer_id, revocationTime: 0 });
t0 = process.hrtime.bigint();
await call('update', 'pki/revoke', { serial_number: one });
console.log(`one revocation with auto_rebuild off (rebuilds the ${(COUNT + 1).toLocaleString()}-entry CRL before answering): ${since(t0).toFixed(0)} ms`);

// OCSP: one real request (openssl), POSTed over and over.
const caFile = join(dir, 'ca.pem');
const leafFile = join(dir, 'leaf.pem');
const reqFile = join(dir, 'req.der');
execFileSync('sh', ['-c', `cat > ${caFile} <<'E'\n${root.certificate}\nE\ncat > ${leafFile} <<'E'\n${leaf.certificate}\nE`]);
execFileSync('openssl', ['ocsp', '-issuer', caFile, '-cert', leafFile, '-reqout', reqFile, '-no_nonce']);
const request = readFileSync(reqFile);
const fixed = Buffer.from(await (await fetch(`${server.address}/v1/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: request })).arrayBuffer());

const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': fixed.length });
    res.end(fixed);
  });
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/v1/pki/ocsp`;

const load = async (url: string): Promise<LoadResult> => {
  const spec = { url, method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, bodyBase64: request.toString('base64'), connections: 32, seconds: 0, warmupSeconds: 0, amount: OCSP_REQUESTS };
  const child = await startChild('load.js', [JSON.stringify(spec)]);
  await child.exited;
  return child.info as LoadResult;
};
await load(`${server.address}/v1/pki/ocsp`); // warm-up
const coffer = await load(`${server.address}/v1/pki/ocsp`);
const ceiling = await load(bareUrl);
const fmt = (r: LoadResult) => `${Math.round(r.rps).toLocaleString()}/s (p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx})`;
console.log(`OCSP POST, ${OCSP_REQUESTS.toLocaleString()} requests over 32 keep-alive connections: coffer ${fmt(coffer)}; bare node:http fixed answer ${fmt(ceiling)} (${((100 * coffer.rps) / ceiling.rps).toFixed(0)}%)`);

bare.close();
rmSync(dir, { recursive: true, force: true });
for (const s of server.servers) s.server.closeAllConnections();
await server.close();
process.exit(0);
