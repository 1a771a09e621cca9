/** `coffer policy list`: the ACL policy names. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { outputData } from '../../output/format.js';

export default defineCommand({
  name: 'policy list',
  output: 'format',
  help: `Usage: coffer policy list [options]

  Lists the names of the ACL policies, one per line.

      $ coffer policy list
`,
  async run(ctx, args) {
    expectArgs(args, 0);
    let secret;
    try {
      secret = await ctx.api().list('sys/policies/acl');
    } catch (err) {
      throw failure('Error listing policies', err);
    }
    const keys = (secret?.data as { keys?: unknown } | null | undefined)?.keys;
    const names = Array.isArray(keys) ? keys.map(String) : [];
    if (ctx.format !== 'table') return outputData(ctx, names);
    for (const name of names) ctx.out(name);
    return 0;
  },
});
