/**
 * What removing an issuer writes, in one commit: the issuer and its CRLs go, every other
 * issuer's chain is rebuilt without it, and a default that named it is cleared. Shared by
 * issuer/:ref DELETE and tidy's expired issuers, so neither leaves a chain through a deleted
 * issuer. Call with the mount's 'issuers' lock held, then forget the issuer's signer.
 */
import type { StorageOp, Storage } from '../../logical/storage.js';
import { rebuiltChains } from './chain.js';
import { crlKey, deltaKey } from './crl.js';
import { allIssuers, deleteIssuerOp, issuerOp, issuersConfig, issuersConfigOp } from './storage.js';

export async function issuerRemovalOps(storage: Storage, issuerId: string): Promise<{ ops: StorageOp[]; wasDefault: boolean }> {
  const wasDefault = (await issuersConfig(storage)).default === issuerId;
  const rest = (await allIssuers(storage)).filter((i) => i.id !== issuerId);
  const rechained = await rebuiltChains(rest);
  return {
    wasDefault,
    ops: [
      deleteIssuerOp(issuerId),
      { kind: 'delete', key: crlKey(issuerId) },
      { kind: 'delete', key: deltaKey(issuerId) },
      ...rechained.map(issuerOp),
      ...(wasDefault ? [issuersConfigOp({ default: '' })] : []),
    ],
  };
}
