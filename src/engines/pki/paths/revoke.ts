/**
 * revoke (by serial number or by the certificate itself), revoke-with-key (the holder of the
 * private key proves it) and certs/revoked. Without auto_rebuild a revocation rebuilds its
 * issuer's CRL before it is answered, so the next CRL fetch lists it; with auto_rebuild the
 * periodic function does, and OCSP answers "revoked" at once either way.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type BackgroundContext, type PathDefinition } from '../../../framework/backend.js';
import { applyOps, getJson } from '../../../logical/storage.js';
import { colonHex } from '../cert.js';
import { crlConfig } from '../crl-config.js';
import { notAfterOf, rebuildCrl, revocationOps, type RevokedEntry } from '../crl.js';
import { certKey, type StoredCert } from '../leaf.js';
import { withMountLock } from '../lock.js';
import { allIssuers, getIssuer, getKey } from '../storage.js';
import type { Ctx } from './common.js';

const answer = (t: number) => ({ data: { revocation_time: t, revocation_time_rfc3339: new Date(t * 1000).toISOString(), state: 'revoked' } });

const fields = {
  serial_number: z.string().optional().describe('The serial number of the certificate to revoke'),
  certificate: z.string().optional().describe('The certificate to revoke, PEM; it must have been issued by this mount'),
};
const withKeyFields = { ...fields, private_key: z.string().describe("The certificate's private key, PEM") };
type Fields = z.infer<z.ZodObject<typeof fields>>;

function checkSerial(raw: string): string {
  const serial = raw.trim();
  if (!/^[0-9a-fA-F]{2}([:-]?[0-9a-fA-F]{2})*$/.test(serial)) throw invalidRequest(`invalid serial_number "${serial}": use colon-separated hex`);
  return colonHex(serial.replace(/[:-]/g, ''));
}

function parseCertificate(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem.trim());
  } catch {
    throw invalidRequest('certificate is not a PEM certificate');
  }
}

/** The stored copy for a given certificate, or a new one when the role kept none (no_store): after checking one of our issuers signed it. */
async function storedForCertificate(ctx: Ctx<unknown>, cert: x509.X509Certificate): Promise<{ serial: string; stored: StoredCert }> {
  const serial = colonHex(cert.serialNumber);
  for (const issuer of await allIssuers(ctx.storage)) {
    const issuerCert = new x509.X509Certificate(issuer.certificate);
    if (issuerCert.subject !== cert.issuer) continue;
    if (!(await cert.verify({ publicKey: issuerCert.publicKey, signatureOnly: true }).catch(() => false))) continue;
    const stored = await getJson<StoredCert>(ctx.storage, certKey(serial));
    if (stored && stored.certificate.trim() !== cert.toString('pem').trim()) throw invalidRequest(`certificate with serial ${serial} differs from the one this mount stored`);
    return { serial, stored: stored ?? { certificate: cert.toString('pem') + '\n', issuerId: issuer.id, revocationTime: 0 } };
  }
  throw invalidRequest('certificate was not issued by any issuer of this mount');
}

async function target(ctx: Ctx<Fields>): Promise<{ serial: string; stored: StoredCert }> {
  const { serial_number, certificate } = ctx.fields;
  if (serial_number && certificate) throw invalidRequest('give either serial_number or certificate, not both');
  if (certificate) return storedForCertificate(ctx, parseCertificate(certificate));
  if (!serial_number) throw invalidRequest('serial_number or certificate is required');
  const serial = checkSerial(serial_number);
  const stored = await getJson<StoredCert>(ctx.storage, certKey(serial));
  if (!stored) throw invalidRequest(`certificate with serial ${serial} not found (roles with no_store keep no copy to revoke)`);
  return { serial, stored };
}

/** Revokes a stored certificate (and rebuilds its CRL unless auto_rebuild is on); the caller holds the mount's crl lock. */
export async function revokeSerial(ctx: BackgroundContext, serial: string, given?: StoredCert) {
  // Read under the lock: revoking twice changes nothing, the first time stands.
  const current = (await getJson<StoredCert>(ctx.storage, certKey(serial))) ?? given;
  if (!current) throw invalidRequest(`certificate with serial ${serial} not found (roles with no_store keep no copy to revoke)`);
  if (current.revocationTime) return answer(current.revocationTime);
  const config = await crlConfig(ctx.storage);
  const entry: RevokedEntry = { serial: colonHex(serial.replace(/[:-]/g, '')), time: Math.floor(ctx.clock() / 1000), issuerId: current.issuerId, notAfter: notAfterOf(current.certificate) };
  await applyOps(ctx.storage, revocationOps(entry, current, serial, config));
  if (!config.auto_rebuild) {
    const issuer = await getIssuer(ctx.storage, current.issuerId);
    if (issuer && (await getKey(ctx.storage, issuer.keyId))) await rebuildCrl(ctx, issuer);
  }
  return answer(entry.time);
}

const revokeStored = (ctx: Ctx<unknown>, serial: string, stored: StoredCert) => withMountLock(ctx.mount, 'crl', () => revokeSerial(ctx, serial, stored));

async function revoke(ctx: Ctx<Fields>) {
  const { serial, stored } = await target(ctx);
  return revokeStored(ctx, serial, stored);
}

/** DER of a SubjectPublicKeyInfo, or null for a key node cannot read (the caller names the field). */
function spkiOfPrivateKey(pem: string): Buffer | null {
  try {
    return createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
}

async function revokeWithKey(ctx: Ctx<Fields & { private_key: string }>) {
  const { serial, stored } = await target(ctx);
  const spki = spkiOfPrivateKey(ctx.fields.private_key);
  if (!spki) throw invalidRequest('private_key is not a PEM private key');
  const certSpki = Buffer.from(new x509.X509Certificate(stored.certificate).publicKey.rawData);
  if (!spki.equals(certSpki)) throw invalidRequest("private_key does not match the certificate's public key");
  return revokeStored(ctx, serial, stored);
}

export function revokePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'revoke',
      fields,
      operations: { update: revoke },
      help: { synopsis: 'Revoke a certificate by serial number or by its PEM; its CRL is rebuilt at once unless auto_rebuild is on.' },
    }),
    definePath({
      pattern: 'revoke-with-key',
      fields: withKeyFields,
      operations: { update: revokeWithKey },
      help: { synopsis: "Revoke a certificate, proving possession of its private key; no revoke capability on other certificates needed." },
    }),
    definePath({
      pattern: 'certs/revoked/?',
      operations: {
        list: async (ctx) => {
          const keys = (await ctx.storage.list('revoked/')).map((k) => k.replace(/-/g, ':'));
          return keys.length ? { data: { keys } } : null;
        },
      },
      help: { synopsis: 'List the serial numbers of revoked certificates.' },
    }),
  ];
}
