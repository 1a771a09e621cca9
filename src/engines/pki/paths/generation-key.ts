/**
 * The key a root or a CSR is made with: a new one (internal, exported) or one the mount
 * already holds (existing, found by key_ref), as Vault's generate paths take it.
 */
import { invalidRequest } from '../../../errors.js';
import { generateKeyPair, importPrivateKey, keySpec, type KeySpec } from '../keys.js';
import { publicKeyOf } from '../pem-bundle.js';
import { findKey, type KeyEntry } from '../storage.js';
import type { Ctx } from './common.js';

export type GenerationType = 'internal' | 'exported' | 'existing';

export interface GenerationKey {
  keys: CryptoKeyPair;
  spec: KeySpec;
  /** set when the mount already holds the key */
  existing?: KeyEntry;
}

export function checkGenerationType(type: string): GenerationType {
  if (type === 'internal' || type === 'exported' || type === 'existing') return type;
  throw invalidRequest(`unsupported type "${type}": use internal, exported or existing`);
}

export async function generationKey(ctx: Ctx<unknown>, type: GenerationType, f: { key_type: string; key_bits: number; key_ref?: string }): Promise<GenerationKey> {
  if (type !== 'existing') {
    const spec = keySpec(f.key_type, f.key_bits);
    return { keys: await generateKeyPair(spec), spec };
  }
  if (!f.key_ref) throw invalidRequest('type "existing" needs key_ref: the id or name of a key this mount holds');
  const existing = await findKey(ctx.storage, f.key_ref);
  if (!existing) throw invalidRequest(`unable to find key "${f.key_ref}": no key has that id or name`);
  const keys = { privateKey: await importPrivateKey(existing.privateKey, existing.spec), publicKey: await publicKeyOf(existing.privateKey, existing.spec) };
  return { keys, spec: existing.spec, existing };
}
