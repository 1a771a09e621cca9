/**
 * External account binding (RFC 8555 section 7.3.4): an operator creates a key id and an
 * HMAC key with a token (acme/new-eab), hands them to one client, and that client's
 * new-account carries an inner JWS over its account key, MAC'd with that HMAC key. Each
 * binding is spent by the account it creates.
 */
import { randomUUID } from 'node:crypto';
import { flattenedVerify, type JWK } from 'jose';
import { z } from 'zod';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { putJson } from '../../../logical/storage.js';
import { directoryPrefix, type Directory } from './directory.js';
import { decodeJsonObject, isJwsBody, thumbprintOf } from './jws.js';
import { problem } from './problem.js';
import { acmeKeys, getEab, type EabEntry } from './store.js';

const HMAC_ALGS = ['HS256', 'HS384', 'HS512'];

/** Checks a new-account's binding against the directory's unspent EAB keys; returns the key id. */
export async function checkBinding(ctx: HandlerContext<unknown>, dir: Directory, binding: unknown, accountJwk: JWK): Promise<EabEntry> {
  if (!isJwsBody(binding)) throw problem('malformed', 'externalAccountBinding must be a flattened JWS');
  const header: { alg?: unknown; kid?: unknown; url?: unknown; nonce?: unknown } = decodeJsonObject(binding.protected, 'externalAccountBinding protected header');
  if (typeof header.alg !== 'string' || !HMAC_ALGS.includes(header.alg)) throw problem('badSignatureAlgorithm', `externalAccountBinding must be MAC'd with one of ${HMAC_ALGS.join(', ')}`);
  if (header.nonce !== undefined) throw problem('malformed', 'externalAccountBinding must not carry a nonce');
  if (header.url !== dir.url('new-account')) throw problem('unauthorized', 'externalAccountBinding url must be the new-account URL', 401);
  const entry = typeof header.kid === 'string' ? await getEab(ctx.storage, header.kid) : null;
  if (!entry || entry.directory !== dir.prefix) throw problem('unauthorized', 'externalAccountBinding names no unused EAB key of this directory', 403);
  try {
    await flattenedVerify(binding, Buffer.from(entry.key, 'base64url'), { algorithms: [header.alg] });
  } catch {
    throw problem('unauthorized', 'externalAccountBinding MAC does not verify', 403);
  }
  const bound = decodeJsonObject(binding.payload, 'externalAccountBinding payload (the account JWK)');
  let same = false;
  try {
    same = (await thumbprintOf(bound as JWK)) === (await thumbprintOf(accountJwk));
  } catch {
    same = false;
  }
  if (!same) throw problem('unauthorized', 'externalAccountBinding binds a different key than the one signing this request', 403);
  return entry;
}

const dirFields = { role: z.string().optional(), issuer_ref: z.string().optional() };

async function newEab(ctx: HandlerContext<z.infer<z.ZodObject<typeof dirFields>>>) {
  const entry: EabEntry = {
    id: randomUUID(),
    key: ctx.random(32).toString('base64url'),
    keyType: 'hs',
    directory: directoryPrefix(ctx.fields),
    createdOn: new Date(ctx.clock()).toISOString(),
  };
  await putJson(ctx.storage, acmeKeys.eab(entry.id), entry);
  return { data: { id: entry.id, key_type: entry.keyType, key: entry.key, acme_directory: `${entry.directory}directory`, created_on: entry.createdOn } };
}

export function eabPaths(prefixPatterns: string[]): PathDefinition[] {
  return [
    ...prefixPatterns.map((prefix) =>
      definePath({
        pattern: `${prefix}acme/new-eab`,
        fields: dirFields,
        operations: { update: newEab },
        help: { synopsis: "Create an external account binding key for this directory: its id and HMAC key are answered once; a new ACME account spends it." },
      }),
    ),
    definePath({
      pattern: 'eab/?',
      operations: {
        list: async (ctx) => {
          const ids = await ctx.storage.list(acmeKeys.eabs);
          const keyInfo: Record<string, unknown> = {};
          for (const id of ids) {
            const e = await getEab(ctx.storage, id);
            if (e) keyInfo[id] = { key_type: e.keyType, acme_directory: `${e.directory}directory`, created_on: e.createdOn };
          }
          return ids.length ? { data: { keys: ids, key_info: keyInfo } } : null;
        },
      },
      help: { synopsis: 'List the unused external account binding keys (never their HMAC keys).' },
    }),
    definePath({
      pattern: 'eab/:key_id',
      fields: { key_id: z.string() },
      operations: {
        delete: async (ctx) => {
          await ctx.storage.delete(acmeKeys.eab(ctx.fields.key_id));
          return null;
        },
      },
      help: { synopsis: 'Delete an unused external account binding key.' },
    }),
  ];
}
