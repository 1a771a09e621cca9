/** `coffer path-help PATH`: the server's help for an API path. */
import { defineCommand, expectArgs, sanitizePath } from '../command.js';
import { CommandFailed, failure } from '../errors.js';
import { outputData } from '../output/format.js';

export default defineCommand({
  name: 'path-help',
  output: 'format',
  help: `Usage: coffer path-help [options] PATH

  Prints the server's help for an API path: what it does and the parameters it
  takes. The answer comes from the backend mounted at that path.

      $ coffer path-help secret/
      $ coffer path-help sys/mounts
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const path = sanitizePath(args[0]!);
    let body;
    try {
      body = await ctx.api().call<{ help?: string }>('GET', path, undefined, { help: '1' });
    } catch (err) {
      throw failure('Error retrieving help', err);
    }
    if (ctx.format !== 'table') return outputData(ctx, body ?? {});
    if (!body || typeof body.help !== 'string') throw new CommandFailed(`No help found for ${path}`);
    ctx.out(body.help.replace(/\n+$/, ''));
    return 0;
  },
});
