/**
 * Roles with generate_lease answer issue and sign with a lease on the certificate: revoking
 * the lease (sys/leases/revoke, or its token going away) revokes the certificate, so it
 * lands on the CRL. A lease that simply runs out with its certificate revokes nothing, as in
 * Vault: an expired certificate needs no CRL entry.
 */
import * as x509 from '@peculiar/x509';
import type { BackgroundContext, LeaseType } from '../../framework/backend.js';
import type { SecretInfo } from '../../logical/request.js';
import { getJson } from '../../logical/storage.js';
import { certKey, type StoredCert } from './leaf.js';
import { withMountLock } from './lock.js';
import { revokeSerial } from './paths/revoke.js';

export const CERT_LEASE = 'pki';

/** The lease for an issued certificate: as long as the certificate has left to live, not renewable. */
export function certLease(serial: string, expiration: number, nowMs: number): SecretInfo {
  const ttl = Math.max(1, expiration - Math.floor(nowMs / 1000));
  return { type: CERT_LEASE, ttl, maxTtl: ttl, renewable: false, internalData: { serial_number: serial } };
}

async function revokeLeased(ctx: BackgroundContext, serial: string): Promise<void> {
  const stored = await getJson<StoredCert>(ctx.storage, certKey(serial));
  // Tidied away, or never stored: nothing left to revoke.
  if (!stored || stored.revocationTime) return;
  if (new x509.X509Certificate(stored.certificate).notAfter.getTime() <= ctx.clock()) return;
  await withMountLock(ctx.mount, 'crl', () => revokeSerial(ctx, serial));
}

export const certLeaseType: LeaseType = {
  type: CERT_LEASE,
  revoke: async (ctx, lease) => {
    const serial = lease.internalData.serial_number;
    if (typeof serial === 'string') await revokeLeased(ctx, serial);
  },
};
