/** `coffer secrets tune PATH`: change a mount's TTLs, description and options. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';
import { TUNE_FLAGS, tuneBody } from '../mount-options.js';

export default defineCommand({
  name: 'secrets tune',
  flags: {
    ...TUNE_FLAGS,
    version: { type: 'int', default: 0, usage: 'For kv: move the mount to this KV version (sets the "version" option).' },
  },
  help: `Usage: coffer secrets tune [options] PATH

  Changes the settings of the secrets engine mounted at PATH. Only the flags
  given are changed.

      $ coffer secrets tune -default-lease-ttl=72h -max-lease-ttl=768h pki/
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const path = ensureTrailingSlash(sanitizePath(args[0]!));
    try {
      await ctx.api().write(`sys/mounts/${sanitizePath(path)}/tune`, tuneBody(flags, flags.int('version')));
    } catch (err) {
      throw failure('Error tuning secrets engine', err);
    }
    ctx.out(`Success! Tuned the secrets engine at: ${path}`);
    return 0;
  },
});
