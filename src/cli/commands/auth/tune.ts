/** `coffer auth tune PATH`: change an auth method's TTLs, description and options. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';
import { TUNE_FLAGS, tuneBody } from '../mount-options.js';

export default defineCommand({
  name: 'auth tune',
  flags: { ...TUNE_FLAGS },
  help: `Usage: coffer auth tune [options] PATH

  Changes the settings of the auth method at auth/PATH. Only the flags given
  are changed.

      $ coffer auth tune -default-lease-ttl=30m userpass/
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const path = ensureTrailingSlash(sanitizePath(args[0]!));
    try {
      await ctx.api().write(`sys/auth/${sanitizePath(path)}/tune`, tuneBody(flags));
    } catch (err) {
      throw failure('Error tuning auth method', err);
    }
    ctx.out(`Success! Tuned the auth method at: ${path}`);
    return 0;
  },
});
