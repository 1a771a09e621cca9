import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { MountInfo } from '../../framework/backend.js';
import { buildCertificate, randomSerialHex, unixSeconds } from './cert.js';
import { generateKeyPair, keySpec, privateKeyPem } from './keys.js';
import { forgetAllSigners, forgetIssuer, forgetKey, signerFor } from './signer-cache.js';
import type { IssuerEntry, KeyEntry } from './storage.js';

async function root(id: string): Promise<{ issuer: IssuerEntry; key: KeyEntry }> {
  const spec = keySpec('ec');
  const keys = await generateKeyPair(spec);
  const now = Date.now();
  const cert = await buildCertificate(
    { serialHex: randomSerialHex(randomBytes), subject: { commonName: id }, publicKey: keys.publicKey, notBefore: new Date(now), notAfter: new Date(now + 86400e3), isCa: true },
    { key: keys.privateKey, spec },
  );
  const pem = cert.toString('pem');
  const key: KeyEntry = { id: `key-${id}`, name: '', spec, privateKey: await privateKeyPem(keys.privateKey) };
  const issuer: IssuerEntry = { id, name: '', keyId: key.id, certificate: pem, caChain: [pem], serialNumber: '', notAfter: unixSeconds(cert.notAfter) };
  return { issuer, key };
}

const mounts = new Map<string, MountInfo>();
/** One MountInfo per uuid, as a routed mount has. */
const mount = (uuid: string) => mounts.get(uuid) ?? mounts.set(uuid, { uuid } as MountInfo).get(uuid)!;

describe('signer cache', () => {
  it('imports an issuer key once per mount, issuer and key', async () => {
    const { issuer, key } = await root('a');
    const first = signerFor(mount('m1'), issuer, key);
    assert.equal(signerFor(mount('m1'), issuer, key), first);
    assert.notEqual(signerFor(mount('m2'), issuer, key), first);
    assert.notEqual(signerFor(mount('m1'), issuer, { ...key, id: 'other-key' }), first);
    const signer = await first;
    assert.equal(signer.certificate!.subject, 'CN=a');
    assert.equal(signer.key.type, 'private');
  });

  it('drops an issuer or key when it changes, and everything on forget', async () => {
    const { issuer, key } = await root('b');
    const m = mount('m3');
    const first = signerFor(m, issuer, key);
    forgetIssuer(m, issuer.id);
    const second = signerFor(m, issuer, key);
    assert.notEqual(second, first);
    forgetKey(m, key.id);
    const third = signerFor(m, issuer, key);
    assert.notEqual(third, second);
    forgetAllSigners();
    assert.notEqual(signerFor(m, issuer, key), third);
  });

  it('keeps nothing for a route made after a forget (unseal, tune)', async () => {
    const { issuer, key } = await root('c');
    const old = mount('m4');
    const first = signerFor(old, issuer, key);
    const fresh = { ...old } as MountInfo;
    assert.notEqual(signerFor(fresh, issuer, key), first);
    assert.equal(signerFor(old, issuer, key), first);
  });

  it('does not remember a key that fails to import', async () => {
    const { issuer, key } = await root('d');
    const broken = { ...key, privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' };
    await assert.rejects(signerFor(mount('m5'), issuer, broken));
    assert.equal(await signerFor(mount('m5'), issuer, key).then((s) => s.spec.type), 'ec');
  });
});
