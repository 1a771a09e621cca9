/** keys/ (LIST) and keys/:name: create, read, delete. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { nameField, requestBase64 } from '../fields.js';
import type { KeyStore } from '../key-store.js';
import { HMAC_KEY_BYTES, KEY_TYPE_NAMES, keyTypeOf, type KeyType } from '../key-types.js';
import { keyView } from '../key-view.js';
import { createKey, type NewKeyOptions } from '../transit-key.js';
import type { Ctx } from './common.js';

const MAX_PAGE = 10_000;
/** Vault's floor for scheduled rotation. */
export const MIN_AUTO_ROTATE_SECONDS = 3600;

export const autoRotateField = f.duration().describe('Rotate the key when its latest version is this old; 0 (default) never, else at least 1h');

export function checkAutoRotate(seconds: number): void {
  if (seconds !== 0 && seconds < MIN_AUTO_ROTATE_SECONDS) {
    throw invalidRequest('invalid value for "auto_rotate_period": must be 0 (never) or at least 1h');
  }
}

const createFields = {
  name: nameField,
  type: z.string().optional().describe(`Key type: ${KEY_TYPE_NAMES.join(', ')}; default aes256-gcm96`),
  derived: f.bool().optional().describe('Derive a key per request from a context (HKDF)'),
  convergent_encryption: f.bool().optional().describe('Same plaintext and context give the same ciphertext; needs derived'),
  exportable: f.bool().optional().describe('Allow export of the key material (cannot be undone)'),
  allow_plaintext_backup: f.bool().optional().describe('Allow backup of the key in plaintext (cannot be undone)'),
  auto_rotate_period: autoRotateField.optional(),
  key_size: f.int().optional().describe(`hmac keys: key length in bytes, ${HMAC_KEY_BYTES.min} to ${HMAC_KEY_BYTES.max}; default ${HMAC_KEY_BYTES.default}`),
  context: z.string().optional().describe('Reading a derived ed25519 key: base64 context whose public keys to show'),
};

type CreateFields = z.infer<z.ZodObject<typeof createFields>>;

/** Settings of a new key from a create request (also encrypt's upsert), checked as Vault checks them. */
export function newKeyOptions(name: string, type: KeyType, req: { derived?: boolean; convergent?: boolean; exportable?: boolean; allowPlaintextBackup?: boolean; autoRotatePeriod?: number; keySize?: number }): NewKeyOptions {
  const derived = req.derived ?? false;
  const convergent = req.convergent ?? false;
  if (convergent && !derived) throw invalidRequest('convergent encryption requires derivation to be enabled (derived=true)');
  if (derived && !type.derivation) throw invalidRequest(`key derivation is not supported for keys of type ${type.name}`);
  if (convergent && !type.aead) throw invalidRequest(`convergent encryption is not supported for keys of type ${type.name}`);
  const autoRotatePeriod = req.autoRotatePeriod ?? 0;
  checkAutoRotate(autoRotatePeriod);
  let keySize = 0;
  if (type.family === 'hmac') {
    keySize = req.keySize || HMAC_KEY_BYTES.default;
    if (keySize < HMAC_KEY_BYTES.min || keySize > HMAC_KEY_BYTES.max) {
      throw invalidRequest(`invalid value for "key_size": ${keySize}; hmac keys are ${HMAC_KEY_BYTES.min} to ${HMAC_KEY_BYTES.max} bytes`);
    }
  } else if (req.keySize) {
    throw invalidRequest(`key_size is only for hmac keys, not ${type.name}`);
  }
  return {
    name,
    type: type.name,
    derived,
    convergentEncryption: convergent,
    exportable: req.exportable ?? false,
    allowPlaintextBackup: req.allowPlaintextBackup ?? false,
    autoRotatePeriod,
    keySize,
  };
}

export function keyTypeField(name: string | undefined): KeyType {
  const type = keyTypeOf(name ?? 'aes256-gcm96');
  if (!type) throw invalidRequest(`invalid value for "type": unknown key type "${name}"; use one of ${KEY_TYPE_NAMES.join(', ')}`);
  return type;
}

export function keysPaths(store: KeyStore): PathDefinition[] {
  async function create(ctx: Ctx<CreateFields>): Promise<Response> {
    const { name } = ctx.fields;
    const opts = newKeyOptions(name, keyTypeField(ctx.fields.type), {
      derived: ctx.fields.derived,
      convergent: ctx.fields.convergent_encryption,
      exportable: ctx.fields.exportable,
      allowPlaintextBackup: ctx.fields.allow_plaintext_backup,
      autoRotatePeriod: ctx.fields.auto_rotate_period,
      keySize: ctx.fields.key_size,
    });
    return store.update<Response>(ctx.storage, name, async (current) => {
      // As in Vault, creating an existing key changes nothing and says so.
      if (current) return { result: { data: keyView(current), warnings: [`key ${name} already existed`] } };
      const key = await createKey(opts, ctx.clock());
      return { next: key, result: { data: keyView(key) } };
    });
  }

  async function read(ctx: Ctx<CreateFields>): Promise<Response | null> {
    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) return null;
    return { data: keyView(key, requestBase64(ctx.fields.context, 'context')) };
  }

  async function remove(ctx: Ctx<CreateFields>): Promise<null> {
    const { name } = ctx.fields;
    return store.update(ctx.storage, name, (current) => {
      if (!current) throw invalidRequest(`could not delete key "${name}": not found`);
      if (!current.settings.deletionAllowed) {
        throw invalidRequest(`deletion is not allowed for key "${name}": set deletion_allowed=true with keys/${name}/config first`);
      }
      return { next: null, result: null };
    });
  }

  return [
    definePath({
      pattern: 'keys/?',
      fields: {
        after: z.string().optional().describe('List only names sorting after this one'),
        limit: f.int().refine((n) => n >= 0 && n <= MAX_PAGE, `expected 0 (all) to ${MAX_PAGE}`).optional().describe('At most this many names'),
      },
      operations: {
        list: async (ctx) => {
          const keys = await store.list(ctx.storage, ctx.fields.after ?? '', ctx.fields.limit ?? 0);
          return keys.length ? { data: { keys } } : null;
        },
      },
      help: { synopsis: 'List the names of the keys of this mount.' },
    }),
    definePath({
      pattern: 'keys/:name',
      fields: createFields,
      operations: { update: create, read, delete: remove },
      help: {
        synopsis: 'Create, read or delete a named key.',
        description:
          'A write creates the key (an existing key is left as it is). A read shows its settings, versions and public keys, never ' +
          'private or symmetric material. A delete needs deletion_allowed=true (keys/:name/config) and removes every version.',
      },
    }),
  ];
}
