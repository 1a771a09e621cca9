/**
 * hmac/:name[/:algorithm]: an HMAC of the input under the key's version HMAC key (any key
 * type; an hmac key's own material). Verification is verify/:name with `hmac` instead of
 * `signature`, and lives here too. Batched items fail alone; the answer is 200.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { BASE64_MESSAGE, decodeBase64 } from '../base64.js';
import { batchItems, fieldError, itemString, referenceOf, runItems, single, type Item } from '../batch.js';
import { batchField, nameField } from '../fields.js';
import { DIGEST_NAMES, hashAlgorithm, pickAlgorithm, type HashAlgorithm } from '../hash-algorithms.js';
import type { KeyStore } from '../key-store.js';
import { inputVersion, outputVersion } from '../key-versions.js';
import type { TransitKey } from '../transit-key.js';
import { formatVersioned, parseVersioned } from '../versioned.js';
import type { Ctx } from './common.js';
import { requestItems } from './encrypt.js';

const hmacFields = {
  name: nameField,
  urlalgorithm: z.string().optional().describe('Hash algorithm, in the URL'),
  algorithm: z.string().optional().describe(`Hash algorithm: ${DIGEST_NAMES.join(', ')}; default sha2-256`),
  input: z.string().optional().describe('Base64 input'),
  key_version: f.int().optional().describe('Version to use; 0 or unset = latest'),
  batch_input: batchField('Items of {input, reference}').optional(),
};
type HmacFields = z.infer<z.ZodObject<typeof hmacFields>>;

/** The input of an item: present, and base64. */
export function itemInput(item: Item): Buffer {
  const text = itemString(item, 'input');
  if (text === undefined) throw invalidRequest('missing input');
  const input = decodeBase64(text);
  if (!input) throw fieldError('input', BASE64_MESSAGE);
  return input;
}

function hmacOf(hash: HashAlgorithm, hmacKey: Buffer, input: Buffer): Buffer {
  return createHmac(hash.node, hmacKey).update(input).digest();
}

/** verify/:name with `hmac` values: whether each HMAC matches its input. */
export async function verifyHmacs(key: TransitKey, hash: HashAlgorithm, items: unknown[], batch: boolean): Promise<Response> {
  const results = await runItems(items, (item) => {
    const input = itemInput(item);
    const given = itemString(item, 'hmac');
    if (!given) throw invalidRequest('missing hmac');
    const { version, body } = parseVersioned(given, 'HMAC');
    const expected = decodeBase64(body);
    if (!expected) throw invalidRequest('invalid HMAC: not valid base64');
    const v = inputVersion(key, version, 'HMAC');
    const actual = hmacOf(hash, v.hmacKey, input);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
  if (!batch) return { data: { valid: single(results) } };
  return { data: { batch_results: results.map((r, i) => (r.ok ? { valid: r.value, reference: referenceOf(items[i]) } : { valid: false, error: r.error, reference: referenceOf(items[i]) })) } };
}

export function hmacPaths(store: KeyStore): PathDefinition[] {
  async function hmac(ctx: Ctx<HmacFields>): Promise<Response> {
    const hash = hashAlgorithm(pickAlgorithm([ctx.fields.urlalgorithm, ctx.fields.algorithm], 'sha2-256'), DIGEST_NAMES, 'algorithm');
    const batch = batchItems(ctx.fields.batch_input);
    const items = requestItems(batch, ctx.fields as Item);
    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) throw invalidRequest(`encryption key not found: no key named "${ctx.fields.name}"`);
    const keyVersion = ctx.fields.key_version ?? 0;
    const results = await runItems(items, (item) => {
      const input = itemInput(item);
      const v = outputVersion(key, keyVersion, 'HMAC');
      return formatVersioned(v.version, hmacOf(hash, v.hmacKey, input).toString('base64'));
    });
    if (!batch) return { data: { hmac: single(results) } };
    return { data: { batch_results: results.map((r, i) => (r.ok ? { hmac: r.value, reference: referenceOf(items[i]) } : { error: r.error, reference: referenceOf(items[i]) })) } };
  }

  const help = { synopsis: 'HMAC base64 input (or a batch) with the named key; verify with verify/:name and "hmac".' };
  return [
    definePath({ pattern: 'hmac/:name', fields: hmacFields, operations: { update: hmac }, help }),
    definePath({ pattern: 'hmac/:name/:urlalgorithm', fields: hmacFields, operations: { update: hmac }, help }),
  ];
}
