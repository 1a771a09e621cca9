/**
 * cubbyhole: private storage for each token. Every token sees only its own folder, keyed by
 * the token's random cubbyhole id (never the token itself); core deletes the folder when the
 * token is revoked or expires. Mounted once by default, cannot be disabled or moved.
 */
import { z } from 'zod';
import { invalidRequest, permissionDenied } from '../../errors.js';
import { defineBackend, definePath, type HandlerContext } from '../../framework/backend.js';
import { getJson, putJson } from '../../logical/storage.js';

type Ctx = HandlerContext<{ path: string }>;

function keyOf(ctx: Ctx): string {
  if (!ctx.caller) throw permissionDenied();
  return `${ctx.caller.cubbyholeId}/${ctx.fields.path}`;
}

function requireName(ctx: Ctx): string {
  if (ctx.fields.path === '' || ctx.fields.path.endsWith('/')) throw invalidRequest('missing or invalid secret path');
  return keyOf(ctx);
}

export default function cubbyholeBackend() {
  return defineBackend({
    type: 'cubbyhole',
    help: 'Per-token private secret storage: visible only to the token that wrote it, destroyed with it.',
    paths: [
      definePath({
        pattern: ':path*',
        fields: { path: z.string().describe('Location of the secret, relative to the token’s own cubbyhole') },
        acceptsAnyField: true,
        existenceCheck: async (ctx) => ctx.fields.path !== '' && (await ctx.storage.get(keyOf(ctx))) !== null,
        operations: {
          read: async (ctx) => {
            const data = await getJson<Record<string, unknown>>(ctx.storage, requireName(ctx));
            return data ? { data } : null;
          },
          list: async (ctx) => {
            const prefix = ctx.fields.path === '' || ctx.fields.path.endsWith('/') ? ctx.fields.path : `${ctx.fields.path}/`;
            const keys = await ctx.storage.list(`${keyOf({ ...ctx, fields: { path: prefix } })}`);
            return keys.length ? { data: { keys } } : null;
          },
          update: async (ctx) => {
            const key = requireName(ctx);
            if (Object.keys(ctx.raw).length === 0) throw invalidRequest('missing data fields');
            await putJson(ctx.storage, key, ctx.raw);
            return null;
          },
          delete: async (ctx) => {
            await ctx.storage.delete(requireName(ctx));
            return null;
          },
        },
        help: { synopsis: 'Read, write, list or delete a secret in the calling token’s cubbyhole.' },
      }),
    ],
  });
}
