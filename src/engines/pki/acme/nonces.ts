/**
 * Replay nonces, kept in memory per mount. A nonce only has to outlive the round trip between
 * two requests of one client, and losing them all on a restart or a seal costs each client
 * one badNonce retry (RFC 8555 section 6.5 makes clients retry), so they are not worth a
 * storage write per request. Bounded in count and age so unauthenticated HEAD new-nonce
 * floods cannot grow memory: the oldest are dropped first.
 */
import { randomBytes } from 'node:crypto';

const TTL_MS = 10 * 60_000;
const MAX_PER_MOUNT = 20_000;

const byMount = new Map<string, Map<string, number>>();

export function newNonce(mountUuid: string, now = Date.now()): string {
  let nonces = byMount.get(mountUuid);
  if (!nonces) byMount.set(mountUuid, (nonces = new Map()));
  // Map iteration is insertion order: the first entries are the oldest.
  for (const [n, issued] of nonces) {
    if (nonces.size < MAX_PER_MOUNT && now - issued < TTL_MS) break;
    nonces.delete(n);
  }
  const nonce = randomBytes(16).toString('base64url');
  nonces.set(nonce, now);
  return nonce;
}

/** True once per nonce this mount issued within the TTL; the nonce is spent either way. */
export function consumeNonce(mountUuid: string, nonce: string, now = Date.now()): boolean {
  const nonces = byMount.get(mountUuid);
  const issued = nonces?.get(nonce);
  if (issued === undefined) return false;
  nonces!.delete(nonce);
  return now - issued < TTL_MS;
}
