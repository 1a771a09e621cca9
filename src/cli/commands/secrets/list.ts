/** `coffer secrets list`: the mounted secrets engines. */
import { defineCommand, expectArgs } from '../../command.js';
import { listMounts } from '../mount-options.js';

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
    return listMounts(ctx, 'secrets', flags.bool('detailed'));
  },
});
