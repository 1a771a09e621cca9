/**
 * What a threshold of operator shares unlocks, and how a rekey replaces them. The Shamir seal
 * and the auto-unseal seal differ only here: Shamir shares rebuild the key that wraps the
 * root key; recovery shares rebuild a recovery key that proves the holders' authority, while
 * the wrapping key itself comes from the seal's provider.
 */
import type { PhysicalBackend } from '../physical/types.js';
import { recoverFromShares, sealStateOps, type SealConfig } from './seal-store.js';

export interface ShareScheme {
  /** Checks a threshold of shares (zeroing them); the root key when they are right, else null. */
  recover(shares: Buffer[], config: SealConfig): Promise<Buffer | null>;
  /**
   * Rekey: `secret` (a new key the caller split per `next`) replaces the current one, with
   * `next`, in one transaction. Nothing is zeroed: the caller owns both keys.
   */
  install(next: SealConfig, secret: Buffer, rootKey: Buffer): Promise<void>;
}

export function shamirScheme(physical: PhysicalBackend): ShareScheme {
  return {
    async recover(shares, config) {
      const recovered = await recoverFromShares(physical, shares, config);
      if (recovered === null) return null;
      recovered.kek.fill(0);
      return recovered.rootKey;
    },
    async install(next, kek, rootKey) {
      // Shamir: the secret is the KEK itself, so the root key is sealed under it anew.
      await physical.transaction(sealStateOps(next, kek, rootKey));
    },
  };
}
