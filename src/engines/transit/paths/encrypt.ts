/**
 * encrypt/:name and decrypt/:name, single or batched. encrypt creates a missing key on
 * first use (Vault's upsert: a `create` for ACLs, aes256-gcm96 unless `type` says another
 * AEAD type, derived when a context is sent) unless config/keys disables it.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { BASE64_MESSAGE, decodeBase64 } from '../base64.js';
import { batchItems, batchStatus, fieldError, itemBase64, itemInt, itemString, referenceOf, runItems, type Item } from '../batch.js';
import { decryptValue, encryptValue, type Encrypted } from '../encryption.js';
import { batchField, nameField } from '../fields.js';
import type { KeyStore } from '../key-store.js';
import { createKey, type TransitKey } from '../transit-key.js';
import { keyExists, type Ctx } from './common.js';
import { keyTypeField, newKeyOptions } from './keys.js';

const itemFields = {
  context: z.string().optional().describe('Base64 context the key is derived from (derived keys)'),
  associated_data: z.string().optional().describe('Base64 data authenticated with the ciphertext, not encrypted (AEAD keys)'),
  nonce: z.string().optional().describe('Not allowed: nonces are random, or derived from the plaintext for convergent keys'),
  partial_failure_response_code: f.int().optional().describe('HTTP status for a batch where some items failed and some succeeded (default 400)'),
};

const encryptFields = {
  name: nameField,
  plaintext: z.string().optional().describe('Base64 plaintext'),
  key_version: f.int().optional().describe('Version to encrypt with; 0 or unset = latest'),
  type: z.string().optional().describe('Type of a key created by this request (aes128-gcm96, aes256-gcm96, chacha20-poly1305)'),
  convergent_encryption: f.bool().optional().describe('Whether a key created by this request is convergent (needs a context)'),
  batch_input: batchField('Items of {plaintext, context, key_version, associated_data, reference}').optional(),
  ...itemFields,
};
type EncryptFields = z.infer<z.ZodObject<typeof encryptFields>>;

const decryptFields = {
  name: nameField,
  ciphertext: z.string().optional().describe('A ciphertext as encrypt returned it: vault:v<N>:<base64>'),
  batch_input: batchField('Items of {ciphertext, context, associated_data, reference}').optional(),
  ...itemFields,
};
type DecryptFields = z.infer<z.ZodObject<typeof decryptFields>>;

/** The request's items: batch_input, or the top-level fields as a batch of one. */
export function requestItems(batch: unknown[] | null, top: Item): unknown[] {
  return batch ?? [top];
}

/** Vault's rule: a context on every item or on none (it decides whether an upserted key is derived). */
export function contextSet(items: unknown[]): boolean {
  const has = (item: unknown) => {
    const c = typeof item === 'object' && item !== null ? (item as Item)['context'] : undefined;
    return typeof c === 'string' && c !== '';
  };
  const first = has(items[0]);
  for (const item of items) if (has(item) !== first) throw invalidRequest('context should be set either in all the request blocks or in none');
  return first;
}

export function rejectNonce(item: Item): void {
  if (itemString(item, 'nonce')) {
    throw invalidRequest('nonce provided when not allowed: nonces are chosen by the server (random, or derived from the plaintext for convergent keys)');
  }
}

export function encryptItem(key: TransitKey, item: Item): Encrypted {
  const text = itemString(item, 'plaintext');
  if (text === undefined) throw invalidRequest('missing plaintext to encrypt');
  const plaintext = decodeBase64(text);
  if (!plaintext) throw fieldError('plaintext', BASE64_MESSAGE);
  rejectNonce(item);
  return encryptValue(key, {
    plaintext,
    context: itemBase64(item, 'context'),
    keyVersion: itemInt(item, 'key_version'),
    associatedData: itemBase64(item, 'associated_data'),
  });
}

export function decryptItem(key: TransitKey, item: Item): Buffer {
  const ciphertext = itemString(item, 'ciphertext');
  if (!ciphertext) throw invalidRequest('missing ciphertext to decrypt');
  return decryptValue(key, ciphertext, itemBase64(item, 'context'), itemBase64(item, 'associated_data'));
}

export function encryptPaths(store: KeyStore): PathDefinition[] {
  /** The key, created on a `create` (the existence check found none) when upsert is allowed. */
  async function keyForEncrypt(ctx: Ctx<EncryptFields>, derived: boolean, warnings: string[]): Promise<TransitKey> {
    const { name } = ctx.fields;
    const existing = await store.get(ctx.storage, name);
    if (existing) {
      if (ctx.req.operation === 'create') warnings.push('Attempted creation of the key during the encrypt operation, but it was created beforehand');
      return existing;
    }
    if (ctx.req.operation !== 'create') throw invalidRequest(`encryption key not found: no key named "${name}"`);
    if ((await store.config(ctx.storage)).disableUpsert) {
      throw invalidRequest(`encryption key not found: no key named "${name}", and config/keys disables creating keys on encrypt`);
    }
    const type = keyTypeField(ctx.fields.type);
    if (!type.upsert) throw invalidRequest(`key type ${type.name} cannot be created by encrypt: create it with keys/${name}`);
    if (ctx.fields.convergent_encryption && !derived) {
      throw invalidRequest('convergent encryption requires derivation to be enabled, so context is required');
    }
    const opts = newKeyOptions(name, type, { derived, convergent: ctx.fields.convergent_encryption });
    return store.update(ctx.storage, name, async (current) => {
      if (current) return { result: current };
      const key = await createKey(opts, ctx.clock());
      return { next: key, result: key };
    });
  }

  async function encrypt(ctx: Ctx<EncryptFields>): Promise<Response> {
    const fields = ctx.fields;
    if (fields.batch_input === undefined && ctx.req.operation === 'update') {
      // The hot path: one item, an existing key already in memory; no await before the crypto.
      const key = store.cached(fields.name);
      if (key) {
        const r = encryptItem(key, fields as Item);
        return { data: { ciphertext: r.ciphertext, key_version: r.keyVersion } };
      }
    }
    const batch = batchItems(fields.batch_input);
    const items = requestItems(batch, fields as Item);
    const warnings: string[] = [];
    const key = await keyForEncrypt(ctx, contextSet(items), warnings);
    const response: Response = { warnings: warnings.length ? warnings : undefined };
    if (!batch) {
      // A single item's error (a CofferError) is the request's 400.
      const r = encryptItem(key, fields as Item);
      response.data = { ciphertext: r.ciphertext, key_version: r.keyVersion };
      return response;
    }
    const results = await runItems(items, (item) => encryptItem(key, item));
    response.data = {
      batch_results: results.map((r, i) =>
        r.ok ? { ciphertext: r.value.ciphertext, key_version: r.value.keyVersion, reference: referenceOf(items[i]) } : { error: r.error, reference: referenceOf(items[i]) },
      ),
    };
    return batchStatus(results, fields.partial_failure_response_code, response);
  }

  async function decrypt(ctx: Ctx<DecryptFields>): Promise<Response> {
    const fields = ctx.fields;
    const batch = batchItems(fields.batch_input);
    const items = requestItems(batch, fields as Item);
    contextSet(items);
    const key = store.cached(fields.name) ?? (await store.get(ctx.storage, fields.name));
    if (!key) throw invalidRequest(`encryption key not found: no key named "${fields.name}"`);
    if (!batch) return { data: { plaintext: decryptItem(key, fields as Item).toString('base64') } };
    const results = await runItems(items, (item) => decryptItem(key, item).toString('base64'));
    const response: Response = {
      data: {
        batch_results: results.map((r, i) => (r.ok ? { plaintext: r.value, reference: referenceOf(items[i]) } : { plaintext: '', error: r.error, reference: referenceOf(items[i]) })),
      },
    };
    return batchStatus(results, fields.partial_failure_response_code, response);
  }

  return [
    definePath({
      pattern: 'encrypt/:name',
      fields: encryptFields,
      existenceCheck: keyExists(store),
      operations: { update: encrypt },
      help: {
        synopsis: 'Encrypt base64 plaintext (or a batch of them) with the named key.',
        description:
          'Answers vault:v<N>:<base64>. A missing key is created on first use when the caller may create it (upsert). ' +
          'A batch with a failed item answers 400 with every result unless partial_failure_response_code says otherwise.',
      },
    }),
    definePath({
      pattern: 'decrypt/:name',
      fields: decryptFields,
      operations: { update: decrypt },
      help: { synopsis: 'Decrypt a ciphertext (or a batch of them) made by the named key; the plaintext comes back base64.' },
    }),
  ];
}
