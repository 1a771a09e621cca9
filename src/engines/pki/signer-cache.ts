/**
 * Issuers ready to sign: the private key imported and the certificate parsed once, not on
 * every issue or sign request (both showed up first in a burst of issuances). Entries are
 * keyed by mount uuid, issuer id and key id, so two mounts never share one and a replaced
 * key is never used under its old id. The backend's `forget` hook (seal, unmount) drops
 * everything, and a generation number keeps a request that was in flight at that moment
 * from putting its signer back afterwards.
 */
import * as x509 from '@peculiar/x509';
import type { MountInfo } from '../../framework/backend.js';
import type { Signer } from './cert.js';
import { importPrivateKey } from './keys.js';
import type { IssuerEntry, KeyEntry } from './storage.js';

const signers = new Map<string, Promise<Signer>>();
let generation = 0;

const prefixOf = (mount: MountInfo, issuerId: string) => `${mount.uuid}/${issuerId}/`;

/** The issuer's signer, imported on first use. */
export function signerFor(mount: MountInfo, issuer: IssuerEntry, key: KeyEntry): Promise<Signer> {
  const id = prefixOf(mount, issuer.id) + key.id;
  const cached = signers.get(id);
  if (cached) return cached;
  const made = generation;
  const pending = importPrivateKey(key.privateKey, key.spec).then((cryptoKey) => ({
    certificate: new x509.X509Certificate(issuer.certificate),
    key: cryptoKey,
    spec: key.spec,
  }));
  signers.set(id, pending);
  // A failed import is not remembered; one finished after a forget is dropped.
  pending.then(
    () => {
      if (made !== generation && signers.get(id) === pending) signers.delete(id);
    },
    () => {
      if (signers.get(id) === pending) signers.delete(id);
    },
  );
  return pending;
}

/** After an issuer or its key changed or went away. */
export function forgetIssuer(mount: MountInfo, issuerId: string): void {
  const prefix = prefixOf(mount, issuerId);
  for (const id of signers.keys()) if (id.startsWith(prefix)) signers.delete(id);
}

/** After a key changed or went away, whichever issuers used it. */
export function forgetKey(mount: MountInfo, keyId: string): void {
  for (const id of signers.keys()) if (id.startsWith(mount.uuid + '/') && id.endsWith('/' + keyId)) signers.delete(id);
}

/** Seal or unmount: nothing imported from behind the barrier stays in memory. */
export function forgetAllSigners(): void {
  generation++;
  signers.clear();
}
