/**
 * sign/:name[/:algorithm] and verify/:name[/:algorithm]: signatures with ed25519, ECDSA and
 * RSA keys (and HMAC verification, handed to hmac.ts). Batched items fail alone; 200.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { batchItems, itemBase64, itemString, referenceOf, runItems, single, type Item } from '../batch.js';
import { batchField, nameField } from '../fields.js';
import { DIGEST_NAMES, hashAlgorithm, pickAlgorithm, SIGNING_HASH_NAMES } from '../hash-algorithms.js';
import type { KeyStore } from '../key-store.js';
import { checkSigning, signValue, verifyValue, type SigningOptions } from '../signing.js';
import type { Ctx } from './common.js';
import { requestItems } from './encrypt.js';
import { itemInput, verifyHmacs } from './hmac.js';

const commonFields = {
  name: nameField,
  urlalgorithm: z.string().optional().describe('Hash algorithm, in the URL'),
  input: z.string().optional().describe('Base64 input (a digest when prehashed)'),
  context: z.string().optional().describe('Base64 context (derived ed25519 keys)'),
  hash_algorithm: z.string().optional().describe(`Hash algorithm: ${SIGNING_HASH_NAMES.join(', ')}; default sha2-256; ignored by ed25519`),
  algorithm: z.string().optional().describe('Deprecated name of hash_algorithm'),
  prehashed: f.bool().optional().describe('The input is already a digest made with hash_algorithm'),
  signature_algorithm: z.string().optional().describe('RSA: pss (default) or pkcs1v15'),
  marshaling_algorithm: z.string().optional().describe('asn1 (default; standard base64) or jws (r||s for ECDSA; URL-safe base64)'),
  salt_length: z.union([z.string(), z.number()]).optional().describe('RSA-PSS salt: auto (default), hash, or a length in bytes'),
};

const signFields = {
  ...commonFields,
  key_version: f.int().optional().describe('Version to sign with; 0 or unset = latest'),
  batch_input: batchField('Items of {input, context, reference}').optional(),
};
const verifyFields = {
  ...commonFields,
  signature: z.string().optional().describe('A signature as sign returned it'),
  hmac: z.string().optional().describe('An HMAC as hmac returned it (instead of signature)'),
  batch_input: batchField('Items of {input, signature or hmac, context, reference}').optional(),
};
type SignFields = z.infer<z.ZodObject<typeof signFields>>;
type VerifyFields = z.infer<z.ZodObject<typeof verifyFields>>;
type Common = z.infer<z.ZodObject<typeof commonFields>>;

function parseSaltLength(value: string | number | undefined): SigningOptions['saltLength'] {
  if (value === undefined || value === '') return 'auto';
  const text = String(value).trim().toLowerCase();
  if (text === 'auto') return 'auto';
  if (text === 'hash') return 'hash';
  if (!/^-?\d+$/.test(text)) throw invalidRequest(`invalid value for "salt_length": "${value}" is neither auto, hash nor a whole number`);
  const n = Number(text);
  // Go's conventions, which Vault exposes: 0 is auto and -1 the digest length.
  if (n === 0) return 'auto';
  if (n === -1) return 'hash';
  if (n < -1) throw invalidRequest(`invalid value for "salt_length": ${n}`);
  return n;
}

function signingOptions(fields: Common): SigningOptions {
  const hash = hashAlgorithm(pickAlgorithm([fields.urlalgorithm, fields.hash_algorithm, fields.algorithm], 'sha2-256'), SIGNING_HASH_NAMES, 'hash_algorithm');
  const marshaling = fields.marshaling_algorithm || 'asn1';
  if (marshaling !== 'asn1' && marshaling !== 'jws') throw invalidRequest(`invalid value for "marshaling_algorithm": "${marshaling}"; use asn1 or jws`);
  const scheme = fields.signature_algorithm || 'pss';
  if (scheme !== 'pss' && scheme !== 'pkcs1v15') throw invalidRequest(`invalid value for "signature_algorithm": "${scheme}"; use pss or pkcs1v15`);
  return { hash, prehashed: fields.prehashed ?? false, scheme, marshaling, saltLength: parseSaltLength(fields.salt_length) };
}

export function signPaths(store: KeyStore): PathDefinition[] {
  async function signHandler(ctx: Ctx<SignFields>): Promise<Response> {
    const opts = signingOptions(ctx.fields);
    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) throw invalidRequest(`signing key not found: no key named "${ctx.fields.name}"`);
    checkSigning(key, opts, 'signing');
    const batch = batchItems(ctx.fields.batch_input);
    const items = requestItems(batch, ctx.fields as Item);
    const keyVersion = ctx.fields.key_version ?? 0;
    const results = await runItems(items, (item) => signValue(key, itemInput(item), itemBase64(item, 'context'), keyVersion, opts));
    if (!batch) {
      const r = single(results);
      const data: Record<string, unknown> = { signature: r.signature, key_version: r.keyVersion };
      if (r.publicKey) data.public_key = r.publicKey.toString('base64');
      return { data };
    }
    return {
      data: {
        batch_results: results.map((r, i) => {
          if (!r.ok) return { key_version: 0, error: r.error, reference: referenceOf(items[i]) };
          const out: Record<string, unknown> = { signature: r.value.signature, key_version: r.value.keyVersion, reference: referenceOf(items[i]) };
          if (r.value.publicKey) out.publickey = r.value.publicKey.toString('base64');
          return out;
        }),
      },
    };
  }

  async function verifyHandler(ctx: Ctx<VerifyFields>): Promise<Response> {
    const batch = batchItems(ctx.fields.batch_input);
    const items = requestItems(batch, ctx.fields as Item);
    const kinds = items.map((item) => {
      const o = typeof item === 'object' && item !== null ? (item as Item) : {};
      return { sig: typeof o['signature'] === 'string', hmac: typeof o['hmac'] === 'string' };
    });
    const anySig = kinds.some((k) => k.sig);
    const anyHmac = kinds.some((k) => k.hmac);
    if (!batch && anySig && anyHmac) throw invalidRequest('provide one of "signature" or "hmac", not both');
    if (!anySig && !anyHmac) throw invalidRequest(batch ? 'no batch_input item has a "signature" or an "hmac"' : 'neither a "signature" nor an "hmac" was given to verify');
    if (anySig && anyHmac) throw invalidRequest('batch_input items must all give a "signature" or all give an "hmac"');
    if (kinds.some((k) => !k.sig && !k.hmac)) throw invalidRequest(`some batch_input items are missing "${anySig ? 'signature' : 'hmac'}"`);

    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) throw invalidRequest(`${anyHmac ? 'encryption' : 'signature verification'} key not found: no key named "${ctx.fields.name}"`);
    if (anyHmac) {
      const name = pickAlgorithm([ctx.fields.urlalgorithm, ctx.fields.hash_algorithm, ctx.fields.algorithm], 'sha2-256');
      return verifyHmacs(key, hashAlgorithm(name, DIGEST_NAMES, 'hash_algorithm'), items, !!batch);
    }
    const opts = signingOptions(ctx.fields);
    checkSigning(key, opts, 'verification');
    const results = await runItems(items, (item) => verifyValue(key, itemInput(item), itemBase64(item, 'context'), itemString(item, 'signature')!, opts));
    if (!batch) return { data: { valid: single(results) } };
    return { data: { batch_results: results.map((r, i) => (r.ok ? { valid: r.value, reference: referenceOf(items[i]) } : { valid: false, error: r.error, reference: referenceOf(items[i]) })) } };
  }

  const signHelp = { synopsis: 'Sign base64 input (or a batch) with the named key: vault:v<N>:<signature>.' };
  const verifyHelp = { synopsis: 'Verify signatures or HMACs of base64 input made with the named key.' };
  return [
    definePath({ pattern: 'sign/:name', fields: signFields, operations: { update: signHandler }, help: signHelp }),
    definePath({ pattern: 'sign/:name/:urlalgorithm', fields: signFields, operations: { update: signHandler }, help: signHelp }),
    definePath({ pattern: 'verify/:name', fields: verifyFields, operations: { update: verifyHandler }, help: verifyHelp }),
    definePath({ pattern: 'verify/:name/:urlalgorithm', fields: verifyFields, operations: { update: verifyHandler }, help: verifyHelp }),
  ];
}
