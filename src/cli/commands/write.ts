/** `coffer write PATH K=V…`: write data to a path. */
import { defineCommand, expectArgs, sanitizePath } from '../command.js';
import { failure } from '../errors.js';
import { UsageError } from '../flags.js';
import { parseKvArgs } from '../kv-args.js';
import { writeResult } from './write-output.js';

export default defineCommand({
  name: 'write',
  output: 'field',
  flags: {
    force: { type: 'bool', default: false, aliases: ['f'], usage: 'Write even when no data is given (for endpoints that take none).' },
  },
  help: `Usage: coffer write [options] PATH [DATA K=V...]

  Writes data to PATH. Each K=V pair is one field of the request:

    key=value     the literal value
    key=@file     the contents of a file
    key=-         everything on stdin
    -             a JSON object read from stdin (all fields at once)
    @data.json    a JSON object read from a file

  A key given twice becomes a list.

      $ coffer write secret/my-app user=admin password=@password.txt
      $ echo '{"user":"admin"}' | coffer write secret/my-app -
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1, Infinity);
    if (args.length === 1 && !flags.bool('force')) throw new UsageError('Must supply data or use -force');
    const path = sanitizePath(args[0]!);
    const data = await parseKvArgs(ctx.io, args.slice(1));
    let secret;
    try {
      secret = await ctx.api().write(path, data);
    } catch (err) {
      throw failure(`Error writing data to ${path}`, err);
    }
    return writeResult(ctx, path, secret);
  },
});
