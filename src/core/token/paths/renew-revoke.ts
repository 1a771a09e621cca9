/** Renewal and revocation, by token value, by the caller's own token, or by accessor. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import type { TokenEntry } from '../token-entry.js';
import type { TokenStore } from '../token-store.js';
import { clientToken, entryForToken, requireString, withWarnings, type TokenBackendDeps } from './common.js';

export function renewRevokePaths(store: TokenStore, deps: TokenBackendDeps = {}): PathDefinition[] {
  /** `shown` is the client_token of the answer: '' when renewing by accessor (the store cannot know it). */
  const renew = async (ctx: HandlerContext, entry: TokenEntry | null, increment: number | undefined, shown: string): Promise<Response> => {
    if (!entry) throw invalidRequest('token not found');
    await deps.checkRenewal?.(entry, ctx.req);
    const result = await store.renewWithWarnings(entry, increment ?? 0, ctx.system.maxLeaseTtl);
    return withWarnings({ data: null, authBlock: store.authBlock(shown, result.entry) }, result.warnings);
  };
  const byAccessor = async (accessor: string | undefined): Promise<TokenEntry> => {
    const entry = await store.lookupByAccessor(requireString(accessor, 'accessor'));
    if (!entry) throw invalidRequest('invalid accessor');
    return entry;
  };
  const increment = f.duration().optional();

  return [
    definePath({
      pattern: 'renew',
      fields: { token: z.string().optional(), increment },
      operations: {
        update: async (ctx) => {
          const token = requireString(ctx.fields.token, 'token');
          return renew(ctx, await entryForToken(ctx, store, token), ctx.fields.increment, token);
        },
      },
      help: { synopsis: 'Renew a token by its value.' },
    }),
    definePath({
      pattern: 'renew-self',
      fields: { increment },
      operations: {
        update: async (ctx) => {
          const token = clientToken(ctx);
          return renew(ctx, await store.lookup(token, { includeUsedUp: true }), ctx.fields.increment, token);
        },
      },
      help: { synopsis: 'Renew the calling token.' },
    }),
    definePath({
      pattern: 'renew-accessor',
      fields: { accessor: z.string().optional(), increment },
      operations: {
        update: async (ctx) => renew(ctx, await byAccessor(ctx.fields.accessor), ctx.fields.increment, ''),
      },
      help: { synopsis: 'Renew a token by its accessor.' },
    }),
    definePath({
      pattern: 'revoke',
      fields: { token: z.string().optional() },
      operations: {
        update: async (ctx) => {
          // Like Vault, revoking a token that does not exist (any more) succeeds: revocation is idempotent.
          const entry = await entryForToken(ctx, store, requireString(ctx.fields.token, 'token'));
          if (entry) await store.revokeTree(entry);
          return null;
        },
      },
      help: { synopsis: 'Revoke a token and every token created from it.' },
    }),
    definePath({
      pattern: 'revoke-self',
      operations: {
        update: async (ctx) => {
          const entry = await store.lookup(clientToken(ctx), { includeUsedUp: true });
          if (entry) await store.revokeTree(entry);
          return null;
        },
      },
      help: { synopsis: 'Revoke the calling token and its children.' },
    }),
    definePath({
      pattern: 'revoke-accessor',
      fields: { accessor: z.string().optional() },
      operations: {
        update: async (ctx) => {
          await store.revokeTree(await byAccessor(ctx.fields.accessor));
          return null;
        },
      },
      help: { synopsis: 'Revoke a token, and its children, by its accessor.' },
    }),
    definePath({
      pattern: 'revoke-orphan',
      fields: { token: z.string().optional() },
      operations: {
        update: async (ctx) => {
          const entry = await entryForToken(ctx, store, requireString(ctx.fields.token, 'token'));
          if (entry) await store.revokeOrphan(entry);
          return null;
        },
      },
      help: { synopsis: 'Revoke a token but not its children, which become orphans (needs sudo).' },
    }),
  ];
}
