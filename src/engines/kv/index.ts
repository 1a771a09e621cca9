/**
 * kv: key/value secrets. Version 1 here (no versions, no metadata); the mount option
 * `version` picks the flavour, and a version-2 mount is refused until kv-v2 exists rather
 * than served with v1 semantics a client would misread.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { defineBackend, definePath, type HandlerContext } from '../../framework/backend.js';
import { getJson, putJson } from '../../logical/storage.js';

type Ctx = HandlerContext<{ path: string; list?: boolean }>;

function requireVersion1(ctx: Ctx): void {
  const version = ctx.mount.options.version ?? '1';
  if (version !== '1') throw invalidRequest(`kv version ${version} is not supported by this server yet`);
}

function secretKey(ctx: Ctx): string {
  requireVersion1(ctx);
  const path = ctx.fields.path;
  if (path === '' || path.endsWith('/')) throw invalidRequest('missing or invalid secret path');
  return path;
}

export default function kvBackend() {
  return defineBackend({
    type: 'kv',
    help: 'Key/value secret storage.',
    paths: [
      definePath({
        pattern: ':path*',
        fields: { path: z.string().describe('Location of the secret') },
        acceptsAnyField: true,
        existenceCheck: async (ctx) => ctx.fields.path !== '' && (await ctx.storage.get(ctx.fields.path)) !== null,
        operations: {
          read: async (ctx) => {
            const data = await getJson<Record<string, unknown>>(ctx.storage, secretKey(ctx));
            return data ? { data } : null;
          },
          list: async (ctx) => {
            requireVersion1(ctx);
            const p = ctx.fields.path;
            const keys = await ctx.storage.list(p === '' || p.endsWith('/') ? p : `${p}/`);
            return keys.length ? { data: { keys } } : null;
          },
          update: async (ctx) => {
            const key = secretKey(ctx);
            if (Object.keys(ctx.raw).length === 0) throw invalidRequest('missing data fields');
            await putJson(ctx.storage, key, ctx.raw);
            return null;
          },
          delete: async (ctx) => {
            await ctx.storage.delete(secretKey(ctx));
            return null;
          },
        },
        help: { synopsis: 'Read, write, list or delete a secret.' },
      }),
    ],
  });
}
