/**
 * datakey/plaintext/:name and datakey/wrapped/:name: a fresh random data key, returned
 * encrypted under the named key (and, for `plaintext`, also in the clear), for envelope
 * encryption: the application encrypts its data locally and stores only the wrapped key.
 */
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { encryptValue } from '../encryption.js';
import { nameField, requestBase64 } from '../fields.js';
import type { KeyStore } from '../key-store.js';
import type { Ctx } from './common.js';

const datakeyFields = {
  plaintext: z.string().describe('"plaintext" returns the data key in the clear and wrapped; "wrapped" only wrapped'),
  name: nameField,
  bits: f.int().optional().describe('Data key length: 128, 256 (default) or 512 bits'),
  context: z.string().optional().describe('Base64 context (derived keys)'),
  key_version: f.int().optional().describe('Version to wrap with; 0 or unset = latest'),
  associated_data: z.string().optional().describe('Base64 associated data (AEAD keys)'),
  nonce: z.string().optional().describe('Not allowed'),
};
type DatakeyFields = z.infer<z.ZodObject<typeof datakeyFields>>;

export function datakeyPaths(store: KeyStore): PathDefinition[] {
  async function datakey(ctx: Ctx<DatakeyFields>): Promise<Response> {
    const kind = ctx.fields.plaintext;
    if (kind !== 'plaintext' && kind !== 'wrapped') throw invalidRequest(`invalid path: datakey/${kind}/…; use datakey/plaintext/<name> or datakey/wrapped/<name>`);
    const bits = ctx.fields.bits ?? 256;
    if (bits !== 128 && bits !== 256 && bits !== 512) throw invalidRequest(`invalid value for "bits": ${bits}; use 128, 256 or 512`);
    if (ctx.fields.nonce) throw invalidRequest('nonce provided when not allowed');
    const context = requestBase64(ctx.fields.context, 'context');
    const associatedData = requestBase64(ctx.fields.associated_data, 'associated_data');
    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) throw invalidRequest(`encryption key not found: no key named "${ctx.fields.name}"`);
    const dataKey = randomBytes(bits / 8);
    try {
      const wrapped = encryptValue(key, { plaintext: dataKey, context, keyVersion: ctx.fields.key_version ?? 0, associatedData });
      const data: Record<string, unknown> = { ciphertext: wrapped.ciphertext, key_version: wrapped.keyVersion };
      if (kind === 'plaintext') data.plaintext = dataKey.toString('base64');
      return { data };
    } finally {
      dataKey.fill(0);
    }
  }

  return [
    definePath({
      pattern: 'datakey/:plaintext/:name',
      fields: datakeyFields,
      operations: { update: datakey },
      help: { synopsis: 'Generate a random data key wrapped by the named key (and, under datakey/plaintext/, also in the clear).' },
    }),
  ];
}
