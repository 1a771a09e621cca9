/** `tidy/secret-id`: starts a tidy of expired and orphaned secret ids in the background (202). */
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { TidyRunner } from '../tidy.js';

export function tidyPath(tidy: TidyRunner): PathDefinition {
  return definePath({
    pattern: 'tidy/secret-id',
    operations: {
      update: (ctx) => {
        const run = tidy.start(ctx.storage, ctx.clock, ctx.logger);
        if (!run) return { status: 202, warnings: ['A tidy of secret IDs is already running; this request started none.'] };
        run.catch((err: unknown) => ctx.logger.warn('secret id tidy failed', { error: err instanceof Error ? err.message : String(err) }));
        return { status: 202, warnings: ['Tidy operation successfully started. Any information from the operation will be printed to the server logs.'] };
      },
    },
    help: { synopsis: 'Remove expired secret ids and those of deleted roles (runs in the background).' },
  });
}
