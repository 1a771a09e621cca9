/**
 * rewrap/:name: decrypt and encrypt again with the newest version (or key_version) in one
 * step, so stored ciphertext moves forward without the plaintext ever leaving the server.
 * Batched items fail alone and the answer is 200, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { batchItems, itemBase64, itemInt, referenceOf, runItems, single, type Item } from '../batch.js';
import { encryptValue } from '../encryption.js';
import { batchField, nameField } from '../fields.js';
import type { KeyStore } from '../key-store.js';
import type { Ctx } from './common.js';
import { contextSet, decryptItem, rejectNonce, requestItems } from './encrypt.js';

const rewrapFields = {
  name: nameField,
  ciphertext: z.string().optional().describe('A ciphertext of this key: vault:v<N>:<base64>'),
  context: z.string().optional().describe('Base64 context (derived keys)'),
  key_version: f.int().optional().describe('Version to encrypt with; 0 or unset = latest'),
  nonce: z.string().optional().describe('Not allowed'),
  batch_input: batchField('Items of {ciphertext, context, key_version, reference}').optional(),
};
type RewrapFields = z.infer<z.ZodObject<typeof rewrapFields>>;

export function rewrapPaths(store: KeyStore): PathDefinition[] {
  async function rewrap(ctx: Ctx<RewrapFields>): Promise<Response> {
    const batch = batchItems(ctx.fields.batch_input);
    const items = requestItems(batch, ctx.fields as Item);
    contextSet(items);
    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) throw invalidRequest(`encryption key not found: no key named "${ctx.fields.name}"`);
    const results = await runItems(items, (item) => {
      rejectNonce(item);
      // Associated data is not part of rewrap (Vault's API has none), so AEAD ciphertexts
      // made with associated_data cannot be rewrapped: decrypting them fails here.
      const plaintext = decryptItem(key, { ...item, associated_data: undefined });
      try {
        return encryptValue(key, { plaintext, context: itemBase64(item, 'context'), keyVersion: itemInt(item, 'key_version'), associatedData: null });
      } finally {
        plaintext.fill(0);
      }
    });
    if (!batch) {
      const r = single(results);
      return { data: { ciphertext: r.ciphertext, key_version: r.keyVersion } };
    }
    return {
      data: {
        batch_results: results.map((r, i) =>
          r.ok ? { ciphertext: r.value.ciphertext, key_version: r.value.keyVersion, reference: referenceOf(items[i]) } : { error: r.error, reference: referenceOf(items[i]) },
        ),
      },
    };
  }

  return [
    definePath({
      pattern: 'rewrap/:name',
      fields: rewrapFields,
      operations: { update: rewrap },
      help: {
        synopsis: 'Re-encrypt ciphertext with the latest (or a chosen) version of its key, without returning the plaintext.',
        description: 'After a rotation, rewrap moves stored ciphertext to the new version; ciphertext already at that version is re-encrypted too.',
      },
    }),
  ];
}
