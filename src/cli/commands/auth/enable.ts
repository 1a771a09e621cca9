/** `coffer auth enable TYPE`: enable an auth method. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';
import { enableBody, ENABLE_FLAGS } from '../mount-options.js';

export default defineCommand({
  name: 'auth enable',
  flags: {
    ...ENABLE_FLAGS,
    path: { type: 'string', usage: 'Where to enable the method, under auth/. The default is the method type.' },
  },
  help: `Usage: coffer auth enable [options] TYPE

  Enables an auth method of TYPE at auth/<path> (by default, the type's name).

      $ coffer auth enable userpass
      $ coffer auth enable -path=ci approle
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const type = sanitizePath(args[0]!);
    const path = ensureTrailingSlash(sanitizePath(flags.str('path') ?? type));
    try {
      await ctx.api().write(`sys/auth/${sanitizePath(path)}`, enableBody(type, flags));
    } catch (err) {
      throw failure('Error enabling auth method', err);
    }
    ctx.out(`Success! Enabled ${type} auth method at: ${path}`);
    return 0;
  },
});
