/** `coffer secrets list`: the mounted secrets engines. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { mountsOf, printMounts } from '../mount-options.js';

export default defineCommand({
  name: 'secrets list',
  output: 'format',
  flags: { detailed: { type: 'bool', default: false, usage: 'Show every setting of each mount: TTLs, options, UUIDs…' } },
  help: `Usage: coffer secrets list [options]

  Lists the enabled secrets engines and where they are mounted.

      $ coffer secrets list -detailed
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0);
    let body;
    try {
      body = await ctx.api().read('sys/mounts');
    } catch (err) {
      throw failure('Error listing secrets engines', err);
    }
    return printMounts(ctx, mountsOf(body), 'secrets', flags.bool('detailed'));
  },
});
