/** `coffer delete PATH [K=V…]`: delete the data at a path. */
import { defineCommand, expectArgs, sanitizePath } from '../command.js';
import { failure } from '../errors.js';
import { parseQueryArgs } from '../kv-args.js';
import { outputSecret, printSecretField } from '../output/format.js';

export default defineCommand({
  name: 'delete',
  output: 'field',
  help: `Usage: coffer delete [options] PATH [K=V...]

  Deletes the data at PATH. Deleting something that does not exist succeeds.
  Extra K=V pairs are sent as query parameters.

      $ coffer delete secret/my-app
`,
  async run(ctx, args) {
    expectArgs(args, 1, Infinity);
    const path = sanitizePath(args[0]!);
    const query = await parseQueryArgs(ctx.io, args.slice(1));
    let secret;
    try {
      secret = await ctx.api().delete(path, query);
    } catch (err) {
      throw failure(`Error deleting ${path}`, err);
    }
    if (!secret) {
      if (ctx.format === 'table') ctx.out(`Success! Data deleted (if it existed) at: ${path}`);
      return 0;
    }
    if (ctx.field) return printSecretField(ctx, secret, ctx.field);
    return outputSecret(ctx, secret);
  },
});
