/** `lookup`, `lookup-self` and `lookup-accessor`. */
import { z } from 'zod';
import { CofferError, invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import type { TokenStore } from '../token-store.js';
import { clientToken, entryForToken, requireString } from './common.js';

/** Vault answers a lookup of an unknown token with 403 "bad token". */
const badToken = () => new CofferError('PermissionDenied', 'bad token');

export function lookupPaths(store: TokenStore): PathDefinition[] {
  /** The token named in the body, or the caller's own when none is (Vault's lookup does the same). */
  const lookup = async (ctx: HandlerContext, named: string | undefined): Promise<Response> => {
    const token = named !== undefined && named !== '' ? named : clientToken(ctx);
    const entry = await entryForToken(ctx, store, token);
    if (!entry) throw badToken();
    return { data: store.lookupData(entry, token) }; // the caller presented the value: `id` echoes it
  };
  return [
    definePath({
      pattern: 'lookup',
      fields: { token: z.string().optional() },
      operations: {
        read: (ctx) => lookup(ctx, ctx.fields.token), // GET with ?token= is the deprecated form
        update: (ctx) => lookup(ctx, ctx.fields.token),
      },
      help: { synopsis: 'Look up a token by its value (the answer includes the value as `id`).' },
    }),
    definePath({
      pattern: 'lookup-self',
      operations: {
        read: (ctx) => lookup(ctx, undefined),
        update: (ctx) => lookup(ctx, undefined),
      },
      help: { synopsis: 'Look up the calling token.' },
    }),
    definePath({
      pattern: 'lookup-accessor',
      fields: { accessor: z.string().optional() },
      operations: {
        update: async (ctx) => {
          const entry = await store.lookupByAccessor(requireString(ctx.fields.accessor, 'accessor'));
          if (!entry) throw invalidRequest('invalid accessor');
          return { data: store.lookupData(entry) }; // id stays '': an accessor never reveals its token
        },
      },
      help: { synopsis: 'Look up a token by its accessor; the token value itself is not returned.' },
    }),
  ];
}
