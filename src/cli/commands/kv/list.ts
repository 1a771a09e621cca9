/** `coffer kv list PATH`: the keys under a KV path. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { listResult } from '../list-output.js';
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
    return listResult(ctx, fullPath, secret);
  },
});
