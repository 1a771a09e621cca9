/** `coffer patch PATH K=V…`: a JSON merge patch of the data at a path. */
import { defineCommand, expectArgs, sanitizePath } from '../command.js';
import { failure } from '../errors.js';
import { UsageError } from '../flags.js';
import { parseKvArgs } from '../kv-args.js';
import { writeResult } from './write-output.js';

export default defineCommand({
  name: 'patch',
  output: 'field',
  flags: {
    force: { type: 'bool', default: false, aliases: ['f'], usage: 'Send the patch even when no data is given.' },
  },
  help: `Usage: coffer patch [options] PATH [DATA K=V...]

  Sends a JSON merge patch to PATH: the given fields are changed, others kept.
  The endpoint must support the patch operation. Data is given as for "write"
  (key=value, key=@file, key=-, or - for a JSON object on stdin).

      $ coffer patch auth/token/roles/deploy orphan=true
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1, Infinity);
    if (args.length === 1 && !flags.bool('force')) throw new UsageError('Must supply data or use -force');
    const path = sanitizePath(args[0]!);
    const data = await parseKvArgs(ctx.io, args.slice(1));
    let secret;
    try {
      secret = await ctx.api().patch(path, data);
    } catch (err) {
      throw failure(`Error writing data to ${path}`, err);
    }
    return writeResult(ctx, path, secret);
  },
});
