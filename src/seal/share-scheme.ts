/**
 * What a threshold of operator shares unlocks, and how a rekey replaces them. The Shamir seal
 * and the auto-unseal seal differ only here: Shamir shares rebuild the key that wraps the
 * root key; recovery shares rebuild a recovery key that proves the holders' authority, while
 * the wrapping key itself comes from the seal's provider.
 */
import type { PhysicalBackend } from '../physical/types.js';
import { zeroAll } from './key-share.js';
import { newKey, recoverFromShares, sealStateOps, splitKek, type SealConfig } from './seal-store.js';

export interface ShareScheme {
  /** Checks a threshold of shares (zeroing them); the root key when they are right, else null. */
  recover(shares: Buffer[], config: SealConfig): Promise<Buffer | null>;
  /** Rekey: a new secret split per `next` replaces the current one; returns the new shares. */
  install(next: SealConfig, rootKey: Buffer): Promise<Buffer[]>;
}

export function shamirScheme(physical: PhysicalBackend): ShareScheme {
  return {
    async recover(shares, config) {
      const recovered = await recoverFromShares(physical, shares, config);
      if (recovered === null) return null;
      recovered.kek.fill(0);
      return recovered.rootKey;
    },
    async install(next, rootKey) {
      const kek = newKey();
      let keys: Buffer[] = [];
      try {
        keys = await splitKek(kek, next);
        await physical.transaction(sealStateOps(next, kek, rootKey));
        return keys;
      } catch (e) {
        zeroAll(keys);
        throw e;
      } finally {
        kek.fill(0);
      }
    },
  };
}
