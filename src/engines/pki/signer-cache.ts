/**
 * Issuers ready to sign: the private key imported and the certificate parsed once, not on
 * every issue or sign request (both showed up first in a burst of issuances). Held per mount
 * as routed (its MountInfo: a new object for every unseal, tune or remount, so a route never
 * sees another's entries), then by issuer id and key id, so a replaced key is never used
 * under its old id. The backend's `forget` hook (seal, unmount) drops everything; a request
 * in flight at that moment can only refill the map of a route that is gone, which nothing
 * reads again and the garbage collector takes.
 */
import type { MountInfo } from '../../framework/backend.js';
import type { Signer } from './cert.js';
import type { Role } from './paths/role-schema.js';
import { issuerSigner } from './signing.js';
import type { IssuerEntry, KeyEntry } from './storage.js';

let byMount = new WeakMap<MountInfo, Map<string, Promise<Signer>>>();

function signersOf(mount: MountInfo): Map<string, Promise<Signer>> {
  let signers = byMount.get(mount);
  if (!signers) byMount.set(mount, (signers = new Map()));
  return signers;
}

type SignatureChoice = Pick<Role, 'signature_bits' | 'use_pss'>;

/**
 * The issuer's signer, imported on first use. A role's signature_bits and use_pss are part
 * of the entry: webcrypto binds an imported RSA key to one hash and one scheme.
 */
export function signerFor(mount: MountInfo, issuer: IssuerEntry, key: KeyEntry, choice: SignatureChoice = { signature_bits: 0, use_pss: false }): Promise<Signer> {
  const signers = signersOf(mount);
  const id = `${issuer.id}/${key.id}/${choice.signature_bits}/${choice.use_pss ? 'pss' : 'pkcs1'}`;
  const cached = signers.get(id);
  if (cached) return cached;
  const pending = issuerSigner(issuer.certificate, key.privateKey, key.spec, choice);
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
  for (const id of signers?.keys() ?? []) if (id.split('/')[1] === keyId) signers!.delete(id);
}

/** Seal or unmount: nothing imported from behind the barrier stays reachable. */
export function forgetAllSigners(): void {
  byMount = new WeakMap();
}
