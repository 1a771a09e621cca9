/** `accessors/` (list every token accessor; sudo) and `tidy`. */
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { TidyReport } from '../token-tidy.js';
import type { TokenStore } from '../token-store.js';
import { listResponse } from './common.js';

export function maintenancePaths(store: TokenStore): PathDefinition[] {
  let running: Promise<TidyReport | void> | undefined;
  return [
    definePath({
      pattern: 'accessors/?',
      operations: { list: async () => listResponse(await store.listAccessors()) },
      help: { synopsis: 'List the accessors of all tokens (needs sudo).' },
    }),
    definePath({
      pattern: 'tidy',
      operations: {
        update: (ctx) => {
          const warnings = ['Tidy started in the background; its results go to the server log.'];
          if (running) return { status: 202, data: null, warnings: ['A tidy operation is already running.'] };
          const logger = ctx.logger;
          running = store
            .tidy()
            .then((report) => logger.info('token store tidy finished', { ...report }))
            .catch((err: unknown) => logger.error('token store tidy failed', { error: String(err) }))
            .finally(() => {
              running = undefined;
            });
          return { status: 202, data: null, warnings };
        },
      },
      help: { synopsis: 'Clean up dangling token indexes and revoke expired or parentless tokens.' },
    }),
  ];
}
