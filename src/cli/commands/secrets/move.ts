/** `coffer secrets move SOURCE DESTINATION`: remount a secrets engine, data included. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'secrets move',
  help: `Usage: coffer secrets move [options] SOURCE DESTINATION

  Moves the secrets engine mounted at SOURCE to DESTINATION, with its data.
  Leases issued under the old path are revoked.

      $ coffer secrets move secret/ generic/
`,
  async run(ctx, args) {
    expectArgs(args, 2);
    const from = ensureTrailingSlash(sanitizePath(args[0]!));
    const to = ensureTrailingSlash(sanitizePath(args[1]!));
    let secret;
    try {
      secret = await ctx.api().write('sys/remount', { from, to });
    } catch (err) {
      throw failure('Error moving secrets engine', err);
    }
    const id = (secret?.data as { migration_id?: unknown } | null | undefined)?.migration_id;
    ctx.out(`Success! Moved secrets engine ${from} to: ${to}${typeof id === 'string' && id ? ` (migration ID ${id})` : ''}`);
    return 0;
  },
});
