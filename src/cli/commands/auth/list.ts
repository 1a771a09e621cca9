/** `coffer auth list`: the enabled auth methods. */
import { defineCommand, expectArgs } from '../../command.js';
import { listMounts } from '../mount-options.js';

export default defineCommand({
  name: 'auth list',
  output: 'format',
  flags: { detailed: { type: 'bool', default: false, usage: 'Show every setting of each method: TTLs, options, UUIDs…' } },
  help: `Usage: coffer auth list [options]

  Lists the enabled auth methods and where they are mounted.

      $ coffer auth list -detailed
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0);
    return listMounts(ctx, 'auth', flags.bool('detailed'));
  },
});
