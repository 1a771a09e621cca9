/** `coffer audit disable PATH`: disable an audit device. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'audit disable',
  flags: {},
  help: `Usage: coffer audit disable [options] PATH

  Disables the audit device at PATH. Its log stays where it is; nothing more is
  written to it. Disabling a path where no device is enabled succeeds.

      $ coffer audit disable file/
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const path = ensureTrailingSlash(sanitizePath(args[0]!));
    try {
      await ctx.api().delete(`sys/audit/${sanitizePath(path)}`);
    } catch (err) {
      throw failure('Error disabling audit device', err);
    }
    ctx.out(`Success! Disabled audit device (if it was enabled) at: ${path}`);
    return 0;
  },
});
