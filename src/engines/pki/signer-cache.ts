/**
 * Issuers ready to sign: the private key imported and the certificate parsed once, not on
 * every issue or sign request (both showed up first in a burst of issuances). Held per mount
 * as routed (its MountInfo: a new object for every unseal, tune or remount, so a route never
 * sees another's entries), then by issuer id and key id, so a replaced key is never used
 * under its old id. The backend's `forget` hook (seal, unmount) drops everything; a request
 * in flight at that moment can only refill the map of a route that is gone, which nothing
 * reads again and the garbage collector takes.
 */
import * as x509 from '@peculiar/x509';
import type { MountInfo } from '../../framework/backend.js';
import type { Signer } from './cert.js';
import { importPrivateKey } from './keys.js';
import type { IssuerEntry, KeyEntry } from './storage.js';

let byMount = new WeakMap<MountInfo, Map<string, Promise<Signer>>>();

function signersOf(mount: MountInfo): Map<string, Promise<Signer>> {
  let signers = byMount.get(mount);
  if (!signers) byMount.set(mount, (signers = new Map()));
  return signers;
}

/** The issuer's signer, imported on first use. */
export function signerFor(mount: MountInfo, issuer: IssuerEntry, key: KeyEntry): Promise<Signer> {
  const signers = signersOf(mount);
  const id = `${issuer.id}/${key.id}`;
  const cached = signers.get(id);
  if (cached) return cached;
  const pending = importPrivateKey(key.privateKey, key.spec).then((cryptoKey) => ({
    certificate: new x509.X509Certificate(issuer.certificate),
    key: cryptoKey,
    spec: key.spec,
  }));
  signers.set(id, pending);
  // A failed import is not remembered: the next request tries again and gets its own error.
  pending.catch(() => {
    if (signers.get(id) === pending) signers.delete(id);
  });
  return pending;
}

/** After an issuer changed or went away. */
export function forgetIssuer(mount: MountInfo, issuerId: string): void {
  const signers = byMount.get(mount);
  for (const id of signers?.keys() ?? []) if (id.startsWith(issuerId + '/')) signers!.delete(id);
}

/** After a key changed or went away, whichever issuers used it. */
export function forgetKey(mount: MountInfo, keyId: string): void {
  const signers = byMount.get(mount);
  for (const id of signers?.keys() ?? []) if (id.endsWith('/' + keyId)) signers!.delete(id);
}

/** Seal or unmount: nothing imported from behind the barrier stays reachable. */
export function forgetAllSigners(): void {
  byMount = new WeakMap();
}
