/**
 * PKI sign/:role through core.handle (no HTTP, no audit): what one signing costs the server
 * for an RSA-2048 and an EC P-256 issuer, and, beside it, what the signer cache saves per
 * request (importing the issuer's PKCS#8 key and parsing its certificate, which every
 * request did before the cache). CSRs are made before the clock starts. CPU time per sign is
 * the steadier figure on a shared machine. Run alone:
 *   node dist/bench/pki-sign.js [count]
 */
import * as x509 from '@peculiar/x509';
import { silentLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';
import { generateKeyPair, importPrivateKey, keySpec, privateKeyPem, signingAlgorithmOf } from '../src/engines/pki/keys.js';

const COUNT = Number(process.argv[2] ?? 2000);
const CONCURRENCY = 8;
const server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, {}, silentLogger, {});
const { core } = server;
const token = server.dev!.rootToken;
const call = async (operation: 'read' | 'update', path: string, data: Record<string, unknown> = {}) => {
  const res = await core.handle({ id: 'bench', operation, path, data, clientToken: token, headers: {} });
  if ((res.status ?? 200) >= 400) throw new Error(`${path}: ${JSON.stringify(res)}`);
  return res;
};
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const spec = keySpec('ec');
const csrs: string[] = [];
for (let i = 0; i < 64; i++) {
  const keys = await generateKeyPair(spec);
  csrs.push((await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=h${i}.example.com`, keys, signingAlgorithm: signingAlgorithmOf(spec) })).toString('pem'));
}

for (const keyType of ['rsa', 'ec'] as const) {
  const mount = `pki-${keyType}`;
  await call('update', `sys/mounts/${mount}`, { type: 'pki' });
  await call('update', `${mount}/root/generate/internal`, { common_name: 'Bench Root', key_type: keyType, ttl: '700h' });
  await call('update', `${mount}/roles/web`, { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'any', no_store: true, ttl: '1h' });
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      await call('update', `${mount}/sign/web`, { csr: csrs[i % csrs.length] });
    }
  };
  await call('update', `${mount}/sign/web`, { csr: csrs[0] });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = since(t0);
  const cpu = process.cpuUsage(cpu0);
  // CPU time per sign: steadier than wall time on a shared machine.
  const cpuUs = (cpu.user + cpu.system) / COUNT;

  // What each request paid before the cache: the issuer key imported, its certificate parsed.
  const issuerSpec = keySpec(keyType);
  const issuerKeys = await generateKeyPair(issuerSpec);
  const pem = await privateKeyPem(issuerKeys.privateKey);
  const cert = (await call('read', `${mount}/issuer/default`)).data!.certificate as string;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < 500; i++) {
    await importPrivateKey(pem, issuerSpec);
    new x509.X509Certificate(cert);
  }
  const savedUs = (since(t1) * 1000) / 500;
  console.log(`sign/:role, ${keyType} issuer: ${Math.round((COUNT / ms) * 1000)} signs/s (${((ms * 1000) / COUNT).toFixed(0)} µs each, ${CONCURRENCY} at a time, ${cpuUs.toFixed(0)} µs CPU each); key import + cert parse saved per sign: ${savedUs.toFixed(0)} µs`);
}
await server.close();
