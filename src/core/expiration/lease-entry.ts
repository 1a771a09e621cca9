/**
 * A lease: what core remembers about a secret it handed out with a TTL, so the secret can be
 * renewed and, on time, revoked in the system that issued it.
 *
 * Storage (below `sys/expire/`):
 *   id/<lease id>                 LeaseEntry JSON (lease ids contain '/', so ids form folders)
 *   token/<token hash>/<lease key> the lease id: revoking a token finds its leases with one list
 */
import { createHash } from 'node:crypto';
import { isoTime } from '../../logical/time-format.js';
import { randomBase62 } from '../token/token-ids.js';

export interface LeaseEntry {
  leaseId: string;
  /** The request path that created the secret, e.g. `database/creds/readonly`. */
  path: string;
  /** The mount that issued it, by uuid: a lease is revoked through that mount's backend. */
  mountUuid: string;
  /** Lease type declared by the backend (`secrets: [{ type }]`). */
  type: string;
  /** Handed back to the backend's renew and revoke; never shown to a client. */
  internalData: Record<string, unknown>;
  /** Hash of the token that created it; '' when none. */
  tokenHash: string;
  /** unix ms */
  issueTime: number;
  expireTime: number;
  /** unix ms; 0 = never renewed */
  lastRenewalTime: number;
  /** unix ms: no renewal reaches past this. */
  maxExpireTime: number;
  renewable: boolean;
  /** Failed revocation attempts so far. */
  revokeAttempts: number;
  /** After repeated failures: kept and listed, no longer retried on its own. */
  irrevocable: boolean;
  /** The last revocation error, for operators (no secret in it: backends' messages). */
  lastError?: string;
}

/** `<request path>/<24 base62 characters>`, Vault's lease id shape. */
export function newLeaseId(requestPath: string): string {
  return `${requestPath.replace(/\/+$/, '')}/${randomBase62(24)}`;
}

/** A fixed-length storage key for a lease id in a token's index. */
export function leaseKey(leaseId: string): string {
  return createHash('sha256').update(leaseId).digest('hex').slice(0, 40);
}

/** Lease ids are paths: no empty, `.` or `..` segments, no leading slash. */
export function isValidLeaseId(leaseId: string): boolean {
  if (leaseId === '' || leaseId.length > 2048 || leaseId.startsWith('/') || leaseId.endsWith('/')) return false;
  return leaseId.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** `sys/leases/lookup` data, as Vault shapes it. */
export function leaseLookupData(e: { id: string; issueTime: number; expireTime: number; lastRenewalTime: number; renewable: boolean }, now: number): Record<string, unknown> {
  return {
    id: e.id,
    issue_time: isoTime(e.issueTime),
    expire_time: e.expireTime > 0 ? isoTime(e.expireTime) : null,
    last_renewal: e.lastRenewalTime > 0 ? isoTime(e.lastRenewalTime) : null,
    renewable: e.renewable,
    ttl: e.expireTime > 0 ? Math.max(0, Math.floor((e.expireTime - now) / 1000)) : 0,
  };
}
