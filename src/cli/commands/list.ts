/** `coffer list PATH`: the keys under a path. */
import { defineCommand, expectArgs, sanitizePath } from '../command.js';
import { CommandFailed, failure } from '../errors.js';
import { outputData, outputList, outputSecret } from '../output/format.js';

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
    const keys = (secret?.data as { keys?: unknown } | null | undefined)?.keys;
    if (ctx.format !== 'table' && (!secret || !Array.isArray(keys))) {
      outputData(ctx, {});
      return 2;
    }
    if (!secret) throw new CommandFailed(`No value found at ${path}`, 2);
    if (!secret.data) return outputSecret(ctx, secret);
    if (!Array.isArray(keys)) throw new CommandFailed(`No entries found at ${path}`, 2);
    return outputList(ctx, secret);
  },
});
