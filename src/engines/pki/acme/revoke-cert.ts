/**
 * revoke-cert (RFC 8555 section 7.6): by the account that ordered the certificate (kid), or
 * by whoever holds the certificate's key (jwk of that key). The revocation is the engine's
 * own, so the certificate shows up in the next CRL like any other.
 */
import { createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { HandlerContext } from '../../../framework/backend.js';
import { getJson } from '../../../logical/storage.js';
import { colonHex } from '../cert.js';
import { certKey, type StoredCert } from '../leaf.js';
import { withMountLock } from '../lock.js';
import { revokeSerial } from '../paths/revoke.js';
import type { Directory } from './directory.js';
import { thumbprintOf, verifyRequest } from './jws.js';
import { problem } from './problem.js';
import type { AcmeAnswer, AcmeFields } from './respond.js';
import { getAcmeCert } from './store.js';

/** RFC 5280 reason codes; 7 is unused. */
const REASONS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);

export async function revokeCert(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const jws = await verifyRequest(ctx, dir, 'revoke-cert', 'either');
  const p = jws.payload ?? {};
  if (p.reason !== undefined && !(typeof p.reason === 'number' && REASONS.has(p.reason))) throw problem('badRevocationReason', 'reason must be an RFC 5280 reason code (0-10, not 7)');
  if (typeof p.certificate !== 'string') throw problem('malformed', 'revoke-cert needs certificate: the base64url DER certificate');
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(Buffer.from(p.certificate, 'base64url'));
  } catch {
    throw problem('malformed', 'certificate is not a DER X.509 certificate');
  }
  const serial = colonHex(cert.serialNumber);
  const stored = await getJson<StoredCert>(ctx.storage, certKey(serial));
  // The same serial from another CA is not ours to revoke: compare the whole certificate.
  if (!stored || Buffer.compare(Buffer.from(new x509.X509Certificate(stored.certificate).rawData), Buffer.from(cert.rawData)) !== 0) {
    throw problem('malformed', 'this mount did not issue that certificate', 404);
  }
  if (jws.account) {
    const owner = await getAcmeCert(ctx.storage, serial);
    if (owner?.accountId !== jws.account.id) throw problem('unauthorized', 'only the account that ordered a certificate, or the holder of its key, may revoke it', 403);
  } else {
    const certJwk = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    if ((await thumbprintOf(certJwk as never)) !== jws.thumbprint) throw problem('unauthorized', "a revocation signed with a bare key must be signed with the certificate's key", 403);
  }
  await withMountLock(ctx.mount, 'crl', async () => {
    const now = await getJson<StoredCert>(ctx.storage, certKey(serial));
    if (now?.revocationTime) throw problem('alreadyRevoked', 'the certificate is already revoked');
    await revokeSerial(ctx, serial);
  });
  return { status: 200 };
}
