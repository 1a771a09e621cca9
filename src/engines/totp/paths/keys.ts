/** `keys/:name` (create by generating or importing, read, delete) and LIST `keys/`. */
import { z } from 'zod';
import { Secret } from 'otpauth';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { newTotpSecret, parseTotpUrl, totpBarcode, totpUrl, TOTP_ALGORITHMS, type TotpAlgorithm, type UsedCodes } from '../../../crypto/totp.js';
import { deleteKey, getKey, keyName, listKeys, putKey, type StoredTotpKey } from '../storage.js';

const keyFields = {
  name: z.string(),
  generate: f.bool().optional().describe('Generate the key here (default false: import it with url or key)'),
  exported: f.bool().optional().describe('With generate: answer the otpauth URL and QR code once (default true)'),
  key_size: f.int().optional().describe('With generate: bytes of the secret (default 20)'),
  url: z.string().optional().describe('Import: an otpauth://totp/ URL'),
  key: z.string().optional().describe('Import: the shared secret, base32'),
  issuer: z.string().optional().describe('Issuer of the key'),
  account_name: z.string().optional().describe('Account the key is for'),
  period: f.duration().optional().describe('Seconds a code is valid (default 30)'),
  algorithm: z.string().optional().describe('SHA1 (default), SHA256 or SHA512'),
  digits: f.int().optional().describe('6 (default) or 8'),
  skew: f.int().optional().describe('Periods either side whose codes validate: 0 or 1 (default)'),
  qr_size: f.int().optional().describe('Pixels of the QR code; 0 for none (default 200)'),
};
type KeyFields = z.infer<z.ZodObject<typeof keyFields>>;

const view = (k: StoredTotpKey) => ({ account_name: k.accountName, algorithm: k.algorithm, digits: k.digits, issuer: k.issuer, period: k.period });

function settings(fields: KeyFields, base?: Partial<StoredTotpKey>): Omit<StoredTotpKey, 'secret'> {
  const algorithm = (fields.algorithm ?? base?.algorithm ?? 'SHA1').toUpperCase() as TotpAlgorithm;
  if (!TOTP_ALGORITHMS.includes(algorithm)) throw invalidRequest(`algorithm must be one of ${TOTP_ALGORITHMS.join(', ')}`);
  const digits = fields.digits ?? base?.digits ?? 6;
  if (digits !== 6 && digits !== 8) throw invalidRequest('digits must be 6 or 8');
  const skew = fields.skew ?? 1;
  if (skew !== 0 && skew !== 1) throw invalidRequest('skew must be 0 or 1');
  const period = fields.period ?? base?.period ?? 30;
  if (!Number.isInteger(period) || period < 1 || period > 3600) throw invalidRequest('period must be from 1 to 3600 seconds');
  return { issuer: fields.issuer ?? base?.issuer ?? '', accountName: fields.account_name ?? base?.accountName ?? '', algorithm, digits, period, skew };
}

async function createKey(storage: Parameters<typeof putKey>[0], fields: KeyFields, used: UsedCodes): Promise<Response | null> {
  const name = keyName(fields.name);
  if (fields.generate) {
    if (fields.url !== undefined || fields.key !== undefined) throw invalidRequest('url and key are for importing a key; leave them out with generate=true');
    const s = settings(fields);
    if (s.issuer === '') throw invalidRequest('issuer is required when generating a key');
    if (s.accountName === '') throw invalidRequest('account_name is required when generating a key');
    const size = fields.key_size ?? 20;
    if (!Number.isInteger(size) || size < 10 || size > 128) throw invalidRequest('key_size must be from 10 to 128 bytes');
    const qr = fields.qr_size ?? 200;
    if (!Number.isInteger(qr) || qr < 0 || qr > 2000) throw invalidRequest('qr_size must be from 0 to 2000');
    const key: StoredTotpKey = { ...s, secret: newTotpSecret(size) };
    await putKey(storage, name, key);
    used.forget(`${name}\n`);
    if (fields.exported === false) return null;
    return { data: { url: totpUrl(key), barcode: qr > 0 ? await totpBarcode(key, qr) : '' } };
  }
  let key: StoredTotpKey;
  if (fields.url !== undefined && fields.url !== '') {
    let parsed;
    try {
      parsed = parseTotpUrl(fields.url);
    } catch (err) {
      throw invalidRequest((err as Error).message);
    }
    key = { ...settings(fields, parsed), secret: parsed.secret };
  } else if (fields.key !== undefined && fields.key !== '') {
    const secret = fields.key.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
    if (!/^[A-Z2-7]+$/.test(secret) || Secret.fromBase32(secret).bytes.length < 10) throw invalidRequest('key must be a base32 secret of at least 10 bytes');
    key = { ...settings(fields), secret };
  } else {
    throw invalidRequest('a url or key is required to import a key (or set generate=true)');
  }
  await putKey(storage, name, key);
  used.forget(`${name}\n`);
  return null;
}

export function keyPaths(used: UsedCodes): PathDefinition[] {
  return [
    definePath({
      pattern: 'keys/?',
      operations: {
        list: async (ctx) => {
          const keys = await listKeys(ctx.storage);
          return keys.length ? { data: { keys } } : null;
        },
      },
      help: { synopsis: 'List the names of the keys.' },
    }),
    definePath({
      pattern: 'keys/:name',
      fields: keyFields,
      existenceCheck: async (ctx) => (await getKey(ctx.storage, ctx.fields.name)) !== null,
      operations: {
        create: (ctx) => createKey(ctx.storage, ctx.fields, used),
        update: (ctx) => createKey(ctx.storage, ctx.fields, used),
        read: async (ctx) => {
          const k = await getKey(ctx.storage, ctx.fields.name);
          return k ? { data: view(k) } : null;
        },
        delete: async (ctx) => {
          await deleteKey(ctx.storage, ctx.fields.name);
          used.forget(`${ctx.fields.name}\n`);
          return null;
        },
      },
      help: { synopsis: 'Create (generate or import), read or delete a TOTP key. The secret is never read back.' },
    }),
  ];
}
