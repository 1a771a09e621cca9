/**
 * Auto-unseal: the key that wraps the root key (the KEK) is stored encrypted by an external
 * key provider (another Coffer's or Vault's transit engine), so a restarted server unseals
 * itself by asking the provider to decrypt it. Operators hold recovery shares instead of
 * unseal shares: they rebuild a recovery key, itself stored sealed by the KEK, which
 * authorizes rekey, generate-root, and unsealing a server that was sealed by hand. Nothing
 * here can open the barrier without the provider: a stolen disk plus every recovery share
 * still decrypts nothing.
 *
 * Persisted (outside the barrier, beside the Shamir seal's entries):
 *   core/seal-kek      the KEK as the provider's ciphertext (`vault:v1:…`)
 *   core/recovery-key  the recovery key, sealed by the KEK
 */
import { timingSafeEqual } from 'node:crypto';
import { EntryOpenError, KEY_BYTES, openEntry, sealEntry } from '../barrier/aead.js';
import { badGateway } from '../errors.js';
import type { PhysicalBackend, PhysicalOp } from '../physical/types.js';
import { zeroAll } from './key-share.js';
import { combineShares, newKey, SEAL_CONFIG_PATH, sealStateOps, splitKek, unwrapRootKey, type SealConfig } from './seal-store.js';
import type { ShareScheme } from './share-scheme.js';

export const SEAL_KEK_PATH = 'core/seal-kek';
export const RECOVERY_KEY_PATH = 'core/recovery-key';
const RECOVERY_TERM = 0;

/** An external service that encrypts and decrypts small secrets under a key Coffer never sees. */
export interface KeyProvider {
  readonly type: 'transit';
  encrypt(plaintext: Buffer): Promise<string>;
  decrypt(ciphertext: string): Promise<Buffer>;
  /** Where the key lives, for log lines and errors (never a token). */
  describe(): string;
}

/** The KEK, decrypted by the provider. A provider failure is a 502 naming the provider. */
export async function fetchKek(physical: PhysicalBackend, provider: KeyProvider): Promise<Buffer> {
  const stored = await physical.get(SEAL_KEK_PATH);
  if (stored === null) throw new Error(`seal: ${SEAL_KEK_PATH} is missing`);
  let kek: Buffer;
  try {
    kek = await provider.decrypt(stored.toString('utf8'));
  } catch (err) {
    throw badGateway(`the ${provider.type} seal (${provider.describe()}) could not decrypt the unseal key: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (kek.length !== KEY_BYTES) {
    kek.fill(0);
    throw badGateway(`the ${provider.type} seal (${provider.describe()}) returned an unseal key of the wrong length`);
  }
  return kek;
}

/** Everything init writes for an auto-unseal seal, and the recovery shares to hand out. */
export async function autoInitState(provider: KeyProvider, config: SealConfig, rootKey: Buffer): Promise<{ ops: PhysicalOp[]; recoveryShares: Buffer[] }> {
  const kek = newKey();
  const recoveryKey = newKey();
  try {
    let wrapped: string;
    try {
      wrapped = await provider.encrypt(kek);
    } catch (err) {
      throw badGateway(`the ${provider.type} seal (${provider.describe()}) could not encrypt the unseal key: ${err instanceof Error ? err.message : String(err)}`);
    }
    const recoveryShares = await splitKek(recoveryKey, config);
    const ops: PhysicalOp[] = [
      ...sealStateOps(config, kek, rootKey),
      { kind: 'put', key: SEAL_KEK_PATH, value: Buffer.from(wrapped, 'utf8') },
      { kind: 'put', key: RECOVERY_KEY_PATH, value: sealEntry(kek, RECOVERY_TERM, RECOVERY_KEY_PATH, recoveryKey) },
    ];
    return { ops, recoveryShares };
  } finally {
    kek.fill(0);
    recoveryKey.fill(0);
  }
}

/** The root key, through the provider: what a restart does with no operator present. */
export async function autoUnsealRootKey(physical: PhysicalBackend, provider: KeyProvider): Promise<Buffer> {
  const kek = await fetchKek(physical, provider);
  try {
    const rootKey = await unwrapRootKey(physical, kek);
    if (rootKey === null) throw new Error('seal: the provider returned a key that does not open the root key');
    return rootKey;
  } finally {
    kek.fill(0);
  }
}

export function autoScheme(physical: PhysicalBackend, provider: KeyProvider): ShareScheme {
  return {
    async recover(shares, config) {
      let recoveryKey: Buffer | null;
      try {
        recoveryKey = await combineShares(shares, config);
      } finally {
        zeroAll(shares);
      }
      if (recoveryKey === null) return null;
      let kek: Buffer | undefined;
      try {
        kek = await fetchKek(physical, provider);
        const entry = await physical.get(RECOVERY_KEY_PATH);
        if (entry === null) throw new Error(`seal: ${RECOVERY_KEY_PATH} is missing`);
        let stored: Buffer;
        try {
          stored = openEntry(kek, RECOVERY_KEY_PATH, entry);
        } catch (e) {
          if (e instanceof EntryOpenError) throw new Error('seal: the recovery key entry does not open with the unseal key');
          throw e;
        }
        const match = stored.length === recoveryKey.length && timingSafeEqual(stored, recoveryKey);
        stored.fill(0);
        return match ? await unwrapRootKey(physical, kek) : null;
      } finally {
        kek?.fill(0);
        recoveryKey.fill(0);
      }
    },
    async install(next, recoveryKey, _rootKey) {
      // The unseal key stays with the provider: only the recovery key and its config change.
      const kek = await fetchKek(physical, provider);
      try {
        await physical.transaction([
          { kind: 'put', key: SEAL_CONFIG_PATH, value: Buffer.from(JSON.stringify(next), 'utf8') },
          { kind: 'put', key: RECOVERY_KEY_PATH, value: sealEntry(kek, RECOVERY_TERM, RECOVERY_KEY_PATH, recoveryKey) },
        ]);
      } finally {
        kek.fill(0);
      }
    },
  };
}
