/** `coffer list PATH`: the keys under a path. */
import { defineCommand, expectArgs, sanitizePath } from '../command.js';
import { failure } from '../errors.js';
import { listResult } from './list-output.js';

export default defineCommand({
  name: 'list',
  output: 'format',
  help: `Usage: coffer list [options] PATH

  Lists the keys under PATH. Keys ending in "/" are folders.

      $ coffer list secret/
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const path = sanitizePath(args[0]!);
    let secret;
    try {
      secret = await ctx.api().list(path);
    } catch (err) {
      throw failure(`Error listing ${path}`, err);
    }
    return listResult(ctx, path, secret);
  },
});
