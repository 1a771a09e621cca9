/** `coffer secrets disable PATH`: unmount a secrets engine and remove its data. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'secrets disable',
  help: `Usage: coffer secrets disable [options] PATH

  Disables the secrets engine at PATH. Its leases are revoked and all of its
  data is removed. This cannot be undone.

      $ coffer secrets disable team-kv/
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const path = ensureTrailingSlash(sanitizePath(args[0]!));
    try {
      await ctx.api().delete(`sys/mounts/${sanitizePath(path)}`);
    } catch (err) {
      throw failure(`Error disabling secrets engine at ${path}`, err);
    }
    ctx.out(`Success! Disabled the secrets engine (if it existed) at: ${path}`);
    return 0;
  },
});
