import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { BackgroundContext, MountInfo } from '../../framework/backend.js';
import { silentLogger } from '../../logging/logger.js';
import type { Storage } from '../../logical/storage.js';
import { putJson } from '../../logical/storage.js';
import { createInmemBackend } from '../../physical/inmem/inmem-backend.js';
import { buildCertificate, colonHex, randomSerialHex, unixSeconds } from './cert.js';
import { currentCrl, CRL_LIFETIME_SECONDS, refreshCrls } from './crl.js';
import { generateKeyPair, keySpec, privateKeyPem } from './keys.js';

/** A mount's storage with one ec root in it, and a context whose clock the test moves. */
async function withRoot() {
  const storage = createInmemBackend() as unknown as Storage;
  let now = Date.now();
  const ctx = {
    storage,
    logger: silentLogger,
    mount: { uuid: 'crl-test' } as MountInfo,
    system: { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 * 365 },
    clock: () => now,
    random: randomBytes,
  } as BackgroundContext;
  const spec = keySpec('ec');
  const keys = await generateKeyPair(spec);
  const serialHex = randomSerialHex(randomBytes);
  const cert = await buildCertificate(
    { serialHex, subject: { commonName: 'r' }, publicKey: keys.publicKey, notBefore: new Date(now), notAfter: new Date(now + 365 * 86400e3), isCa: true },
    { key: keys.privateKey, spec },
  );
  const pem = cert.toString('pem');
  await putJson(storage, 'key/k1', { id: 'k1', name: '', spec, privateKey: await privateKeyPem(keys.privateKey) });
  const issuer = { id: 'i1', name: '', keyId: 'k1', certificate: pem, caChain: [pem], serialNumber: colonHex(serialHex), notAfter: unixSeconds(cert.notAfter) };
  await putJson(storage, 'issuer/i1', issuer);
  return { ctx, issuer, advance: (seconds: number) => (now += seconds * 1000) };
}

const nextUpdateOf = (pem: string) => new x509.X509Crl(pem).nextUpdate!.getTime();

describe('refreshCrls', () => {
  it('leaves a fresh CRL alone and rebuilds one with less than a third of its life left', async () => {
    const { ctx, issuer, advance } = await withRoot();
    const first = await currentCrl(ctx, issuer);
    advance(CRL_LIFETIME_SECONDS / 2);
    await refreshCrls(ctx);
    assert.equal(await currentCrl(ctx, issuer), first);
    advance(CRL_LIFETIME_SECONDS / 4);
    await refreshCrls(ctx);
    const second = await currentCrl(ctx, issuer);
    assert.notEqual(second, first);
    assert.equal(nextUpdateOf(second) - nextUpdateOf(first), (CRL_LIFETIME_SECONDS * 3) / 4 * 1000);
  });

  it('builds nothing for an issuer whose CRL was never asked for', async () => {
    const { ctx } = await withRoot();
    await refreshCrls(ctx);
    assert.deepEqual(await ctx.storage.list('crl/'), []);
  });
});
