/** `coffer token capabilities [TOKEN] PATH`: what a token may do on a path. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputData } from '../../output/format.js';

export default defineCommand({
  name: 'token capabilities',
  output: 'format',
  flags: { accessor: { type: 'bool', default: false, usage: 'Treat the first argument as a token accessor, not a token.' } },
  help: `Usage: coffer token capabilities [options] [TOKEN | ACCESSOR] PATH

  Prints the capabilities a token has on PATH (create, read, update, patch,
  delete, list, sudo, deny, root). With only PATH, the calling token is used.

      $ coffer token capabilities secret/creds
      $ coffer token capabilities hvs.XXXXXXXX secret/creds
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1, 2);
    const accessor = flags.bool('accessor');
    if (accessor && args.length !== 2) throw new UsageError('-accessor needs an accessor and a path');
    const path = args[args.length - 1]!;
    let secret;
    try {
      if (accessor) secret = await ctx.api().write('sys/capabilities-accessor', { accessor: args[0], paths: [path] });
      else if (args.length === 2) secret = await ctx.api().write('sys/capabilities', { token: args[0], paths: [path] });
      else secret = await ctx.api().write('sys/capabilities-self', { paths: [path] });
    } catch (err) {
      throw failure('Error listing capabilities', err);
    }
    const data = (secret?.data ?? {}) as Record<string, unknown>;
    const caps = (Array.isArray(data[path]) ? data[path] : Array.isArray(data.capabilities) ? data.capabilities : []) as string[];
    if (ctx.format !== 'table') return outputData(ctx, caps);
    ctx.out([...caps].sort().join(', '));
    return 0;
  },
});
