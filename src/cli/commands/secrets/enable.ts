/** `coffer secrets enable TYPE`: mount a secrets engine. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';
import { enableBody, ENABLE_FLAGS } from '../mount-options.js';

export default defineCommand({
  name: 'secrets enable',
  flags: {
    ...ENABLE_FLAGS,
    path: { type: 'string', usage: 'Where to mount the engine. The default is the engine type.' },
    version: { type: 'int', default: 0, usage: 'For kv: the KV version (1 or 2); sets the "version" option.' },
  },
  help: `Usage: coffer secrets enable [options] TYPE

  Enables a secrets engine of TYPE at a path (by default, the type's name).

      $ coffer secrets enable -path=team-kv -version=2 kv
      $ coffer secrets enable -description="Encryption as a service" transit
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const type = sanitizePath(args[0]!);
    const path = ensureTrailingSlash(sanitizePath(flags.str('path') ?? type));
    const body = enableBody(type, flags, flags.int('version'));
    try {
      await ctx.api().write(`sys/mounts/${sanitizePath(path)}`, body);
    } catch (err) {
      throw failure(`Error enabling: ${type}`, err);
    }
    ctx.out(`Success! Enabled the ${type} secrets engine at: ${path}`);
    return 0;
  },
});
