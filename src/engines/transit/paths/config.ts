/** cache-config (the mount's key cache size) and config/keys (whether encrypt creates keys). */
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { KeyStore } from '../key-store.js';

/** Vault's floor for a bounded cache. */
export const MIN_CACHE_SIZE = 10;

export function configPaths(store: KeyStore): PathDefinition[] {
  return [
    definePath({
      pattern: 'cache-config',
      fields: { size: f.int().optional().describe(`Keys kept in memory: 0 (default) for all, else at least ${MIN_CACHE_SIZE}`) },
      operations: {
        read: async (ctx) => ({ data: { size: await store.cacheSize(ctx.storage) } }),
        update: async (ctx) => {
          const size = ctx.fields.size ?? 0;
          if (size < 0 || (size !== 0 && size < MIN_CACHE_SIZE)) {
            throw invalidRequest(`invalid value for "size": must be 0 (no limit) or at least ${MIN_CACHE_SIZE}`);
          }
          await store.setCacheSize(ctx.storage, size);
          return { data: { size }, warnings: ['cache configuration changed; it applies at once'] };
        },
      },
      help: { synopsis: 'Read or set how many keys this mount keeps parsed in memory (0 = all).' },
    }),
    definePath({
      pattern: 'config/keys',
      fields: { disable_upsert: f.bool().optional().describe('Refuse to create missing keys on encrypt') },
      operations: {
        read: async (ctx) => ({ data: { disable_upsert: (await store.config(ctx.storage)).disableUpsert } }),
        update: async (ctx) => {
          const current = await store.config(ctx.storage);
          const next = { disableUpsert: ctx.fields.disable_upsert ?? current.disableUpsert };
          await store.setConfig(ctx.storage, next);
          return { data: { disable_upsert: next.disableUpsert } };
        },
      },
      help: { synopsis: 'Settings for every key of the mount: disable_upsert stops encrypt from creating keys.' },
    }),
  ];
}
