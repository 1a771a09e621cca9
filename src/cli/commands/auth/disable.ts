/** `coffer auth disable PATH`: disable an auth method; its tokens are revoked. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'auth disable',
  help: `Usage: coffer auth disable [options] PATH

  Disables the auth method at auth/PATH. Every token it issued is revoked.

      $ coffer auth disable userpass/
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const path = ensureTrailingSlash(sanitizePath(args[0]!));
    try {
      await ctx.api().delete(`sys/auth/${sanitizePath(path)}`);
    } catch (err) {
      throw failure('Error disabling auth method', err);
    }
    ctx.out(`Success! Disabled the auth method (if it existed) at: ${path}`);
    return 0;
  },
});
