/** `coffer kv list PATH`: the keys under a KV path. */
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { outputData, outputList, outputSecret } from '../../output/format.js';
import { kvTarget, MOUNT_FLAG } from './kv-paths.js';

export default defineCommand({
  name: 'kv list',
  output: 'format',
  flags: { ...MOUNT_FLAG },
  help: `Usage: coffer kv list [options] PATH

  Lists the keys under PATH in a key/value mount. Keys ending in "/" are
  folders.

      $ coffer kv list secret/
      $ coffer kv list -mount=secret team/
`,
  async run(ctx, args, flags) {
    const mount = flags.str('mount');
    expectArgs(args, mount ? 0 : 1, 1);
    const target = await kvTarget(ctx, args[0] ?? '', mount);
    const fullPath = target.v2 ? target.apiPath('metadata') : target.v1Path;
    let secret;
    try {
      secret = await ctx.api().list(fullPath);
    } catch (err) {
      throw failure(`Error listing ${fullPath}`, err);
    }
    const keys = (secret?.data as { keys?: unknown } | null | undefined)?.keys;
    if (ctx.format !== 'table' && (!secret || !Array.isArray(keys))) {
      outputData(ctx, {});
      return 2;
    }
    if (!secret) throw new CommandFailed(`No value found at ${fullPath}`, 2);
    if (!secret.data) return outputSecret(ctx, secret);
    if (!Array.isArray(keys)) throw new CommandFailed(`No entries found at ${fullPath}`, 2);
    return outputList(ctx, secret);
  },
});
