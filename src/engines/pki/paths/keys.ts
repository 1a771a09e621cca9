/** keys (LIST) and key/:ref: which keys the mount holds, never their material. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { allKeys, findKey } from '../storage.js';
import { refField, type Ctx } from './common.js';
import { keyWrites } from './issuer-update.js';

async function listKeys(ctx: Ctx<unknown>) {
  const keys = await allKeys(ctx.storage);
  if (keys.length === 0) return null;
  const keyInfo: Record<string, unknown> = {};
  for (const k of keys) keyInfo[k.id] = { key_name: k.name };
  return { data: { keys: keys.map((k) => k.id), key_info: keyInfo } };
}

async function readKey(ctx: Ctx<{ ref: string }>) {
  const key = await findKey(ctx.storage, ctx.fields.ref);
  if (!key) throw invalidRequest(`unable to find key "${ctx.fields.ref}": no key has that id or name`);
  return { data: { key_id: key.id, key_name: key.name, key_type: key.spec.type } };
}

export function keyPaths(): PathDefinition[] {
  return [
    definePath({ pattern: 'keys/?', operations: { list: listKeys }, help: { synopsis: "List this mount's keys by id, with their names." } }),
    definePath({
      pattern: 'key/:ref',
      fields: { ref: refField.describe('A key id, name, or "default" (the default issuer\'s key)'), key_name: z.string().optional().describe('update: a new name') },
      operations: { read: readKey, ...keyWrites },
      help: { synopsis: "Read a key's id, name and type; the private key never leaves the server." },
    }),
  ];
}
