/** `coffer kv metadata delete KEY`: remove a secret and all its versions (KV version 2). */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { kvV2Path, MOUNT_FLAG } from './kv-paths.js';

export default defineCommand({
  name: 'kv metadata delete',
  flags: { ...MOUNT_FLAG },
  help: `Usage: coffer kv metadata delete [options] KEY

  Deletes the secret at KEY with all its versions and its metadata (KV
  version 2). This cannot be undone.

      $ coffer kv metadata delete secret/creds
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const fullPath = await kvV2Path(ctx, args[0]!, flags.str('mount'), 'metadata', 'Metadata');
    try {
      await ctx.api().delete(fullPath);
    } catch (err) {
      throw failure(`Error deleting ${fullPath}`, err);
    }
    ctx.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
    return 0;
  },
});
