/** `coffer delete PATH [K=V…]`: delete the data at a path. */
import { defineCommand } from '../command.js';
import { failure } from '../errors.js';
import { parsePathAndQuery } from '../kv-args.js';
import { outputSecretOrField } from '../output/format.js';

export default defineCommand({
  name: 'delete',
  output: 'field',
  help: `Usage: coffer delete [options] PATH [K=V...]

  Deletes the data at PATH. Deleting something that does not exist succeeds.
  Extra K=V pairs are sent as query parameters.

      $ coffer delete secret/my-app
`,
  async run(ctx, args) {
    const { path, query } = await parsePathAndQuery(ctx.io, args);
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
    return outputSecretOrField(ctx, secret);
  },
});
