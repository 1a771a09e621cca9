/** `coffer read PATH [K=V…]`: read whatever lives at a path. */
import { defineCommand } from '../command.js';
import { CommandFailed, failure } from '../errors.js';
import { parsePathAndQuery } from '../kv-args.js';
import { outputSecretOrField } from '../output/format.js';

export default defineCommand({
  name: 'read',
  output: 'field',
  help: `Usage: coffer read [options] PATH [K=V...]

  Reads the data at PATH and prints it. PATH may be a secret, a configuration
  entry or any readable endpoint. Extra K=V pairs are sent as query parameters.

  Read a secret:

      $ coffer read secret/my-app

  Print one field, raw, for use in scripts:

      $ coffer read -field=password secret/my-app
`,
  async run(ctx, args) {
    const { path, query } = await parsePathAndQuery(ctx.io, args);
    let secret;
    try {
      secret = await ctx.api().read(path, query);
    } catch (err) {
      throw failure(`Error reading ${path}`, err);
    }
    if (!secret) throw new CommandFailed(`No value found at ${path}`, 2);
    return outputSecretOrField(ctx, secret);
  },
});
