/**
 * What the Shamir seal persists, and nothing else: the seal config as plaintext JSON (it is
 * read while sealed, and holds nothing secret) and the root key sealed by the unseal key
 * (the KEK the shares reconstruct). Both go to the physical backend directly: the barrier
 * cannot be used before the root key is known.
 */
import { combine, split } from 'shamir-secret-sharing';
import { invalidRequest } from '../errors.js';
import type { PhysicalBackend, PhysicalOp } from '../physical/types.js';
import { EntryOpenError, KEY_BYTES, openEntry, sealEntry } from '../barrier/aead.js';
import { newKey } from '../barrier/keyring.js';
import { zeroAll } from './key-share.js';
import type { ShareScheme } from './share-scheme.js';

export { newKey };

export const SEAL_CONFIG_PATH = 'core/seal-config';
export const ROOT_KEY_PATH = 'core/root-key';
// Term field of the wrapped root key entry; it is sealed by the KEK, not by a keyring term.
const KEK_TERM = 0;

export type SealType = 'shamir' | 'transit';

/**
 * The share parameters operators deal with. For a Shamir seal they split the unseal key;
 * for an auto-unseal (transit) seal they split the recovery key, and `stored_shares` is 1:
 * the unseal key itself is kept by the seal's provider.
 */
export interface SealConfig {
  type: SealType;
  secret_shares: number;
  secret_threshold: number;
  stored_shares: number;
}

/** Vault's rules for a share count and threshold, with messages naming the field. */
export function validateShamirParams(secretShares: unknown, secretThreshold: unknown, type: SealType = 'shamir'): SealConfig {
  if (typeof secretShares !== 'number' || !Number.isInteger(secretShares)) {
    throw invalidRequest('secret_shares must be an integer');
  }
  if (typeof secretThreshold !== 'number' || !Number.isInteger(secretThreshold)) {
    throw invalidRequest('secret_threshold must be an integer');
  }
  if (secretShares < 1) throw invalidRequest('secret_shares must be at least 1');
  if (secretShares > 255) throw invalidRequest('secret_shares must be at most 255');
  if (secretThreshold < 1) throw invalidRequest('secret_threshold must be at least 1');
  if (secretThreshold > secretShares) {
    throw invalidRequest(`secret_threshold (${secretThreshold}) cannot be larger than secret_shares (${secretShares})`);
  }
  // One share out of several would let any single holder unseal: Vault refuses it.
  if (secretShares > 1 && secretThreshold === 1) {
    throw invalidRequest('secret_threshold must be greater than 1 when secret_shares is greater than 1');
  }
  return { type, secret_shares: secretShares, secret_threshold: secretThreshold, stored_shares: type === 'shamir' ? 0 : 1 };
}

export async function readSealConfig(physical: PhysicalBackend): Promise<SealConfig | null> {
  const raw = await physical.get(SEAL_CONFIG_PATH);
  if (raw === null) return null;
  let parsed: Partial<SealConfig>;
  try {
    parsed = JSON.parse(raw.toString('utf8')) as Partial<SealConfig>;
  } catch {
    throw new Error(`seal: ${SEAL_CONFIG_PATH} is not valid JSON`);
  }
  if (parsed?.type !== 'shamir' && parsed?.type !== 'transit') throw new Error(`seal: ${SEAL_CONFIG_PATH} has unsupported type ${String(parsed?.type)}`);
  try {
    return validateShamirParams(parsed.secret_shares, parsed.secret_threshold, parsed.type);
  } catch {
    throw new Error(`seal: ${SEAL_CONFIG_PATH} holds invalid share parameters`);
  }
}

/** The writes that install `config` with `rootKey` sealed under `kek`, applied together. */
export function sealStateOps(config: SealConfig, kek: Buffer, rootKey: Buffer): PhysicalOp[] {
  return [
    { kind: 'put', key: SEAL_CONFIG_PATH, value: Buffer.from(JSON.stringify(config), 'utf8') },
    { kind: 'put', key: ROOT_KEY_PATH, value: sealEntry(kek, KEK_TERM, ROOT_KEY_PATH, rootKey) },
  ];
}

/** The root key if `kek` opens it, null if it does not (wrong shares). */
export async function unwrapRootKey(physical: PhysicalBackend, kek: Buffer): Promise<Buffer | null> {
  const entry = await physical.get(ROOT_KEY_PATH);
  if (entry === null) throw new Error(`seal: ${ROOT_KEY_PATH} is missing`);
  let rootKey: Buffer;
  try {
    rootKey = openEntry(kek, ROOT_KEY_PATH, entry);
  } catch (e) {
    if (e instanceof EntryOpenError) return null;
    throw e;
  }
  if (rootKey.length !== KEY_BYTES) {
    rootKey.fill(0);
    throw new Error(`seal: ${ROOT_KEY_PATH} holds a key of the wrong length`);
  }
  return rootKey;
}

/**
 * Splits the KEK into shares. With one share the KEK itself is the key, as in Vault; the
 * library also refuses fewer than two shares.
 */
export async function splitKek(kek: Buffer, config: SealConfig): Promise<Buffer[]> {
  if (config.secret_shares === 1) return [Buffer.from(kek)];
  // The library checks `constructor === Uint8Array`, which a Buffer fails: hand it a plain copy.
  const secret = new Uint8Array(kek);
  try {
    const parts = await split(secret, config.secret_shares, config.secret_threshold);
    return parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  } finally {
    secret.fill(0);
  }
}

/** Rebuilds the KEK from exactly `threshold` shares, or null if they do not combine. */
export async function combineShares(shares: Buffer[], config: SealConfig): Promise<Buffer | null> {
  if (config.secret_shares === 1) return Buffer.from(shares[0]!);
  const parts = shares.map((s) => new Uint8Array(s));
  let secret: Uint8Array;
  try {
    secret = await combine(parts);
  } catch {
    // Shares from different splits can share an x-coordinate; the library refuses those.
    return null;
  } finally {
    zeroAll(parts);
  }
  const kek = Buffer.from(secret);
  secret.fill(0);
  return kek;
}

/**
 * Combines `shares` (zeroing them) and checks the result opens the stored root key. Null when
 * the shares are wrong; otherwise both keys, which the caller zeroes.
 */
export async function recoverFromShares(
  physical: PhysicalBackend,
  shares: Buffer[],
  config: SealConfig,
): Promise<{ kek: Buffer; rootKey: Buffer } | null> {
  let kek: Buffer | null;
  try {
    kek = await combineShares(shares, config);
  } finally {
    zeroAll(shares);
  }
  if (kek === null) return null;
  let rootKey: Buffer | null;
  try {
    rootKey = await unwrapRootKey(physical, kek);
  } catch (e) {
    kek.fill(0);
    throw e;
  }
  if (rootKey === null) {
    kek.fill(0);
    return null;
  }
  return { kek, rootKey };
}

/** What rekey and generate-root need from the seal that owns them. */
export interface SealContext {
  readonly physical: PhysicalBackend;
  /** Throws the sealed error unless the barrier is unsealed. */
  requireUnsealed(): void;
  /** The stored config; invalidRequest when the server is not initialized. */
  requireConfig(): Promise<SealConfig>;
  /** The config as last read or written, for the synchronous status calls. */
  cachedConfig(): SealConfig | null;
  /** A copy of the root key the barrier is open with (the caller zeroes it): a verified rekey wraps it anew. */
  rootKey(): Buffer;
  /** Records a config just written (after a rekey). */
  configChanged(config: SealConfig): void;
  /** How shares are checked and replaced for this config's seal type. */
  scheme(config: SealConfig): ShareScheme;
}
