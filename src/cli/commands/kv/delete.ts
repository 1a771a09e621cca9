/** `coffer kv delete KEY`: delete the latest version (or the given versions) of a secret. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { outputSecret } from '../../output/format.js';
import { kvTarget, MOUNT_FLAG, versionsOf } from './kv-paths.js';

export default defineCommand({
  name: 'kv delete',
  output: 'format',
  flags: {
    ...MOUNT_FLAG,
    versions: { type: 'string', repeatable: true, usage: 'KV version 2: the versions to delete, comma-separated or repeated. The default is the latest.' },
  },
  help: `Usage: coffer kv delete [options] KEY

  Deletes the secret at KEY. On KV version 2 this is a soft delete of the
  latest version (or of -versions): the data can be brought back with
  "coffer kv undelete" until it is destroyed. On version 1 the key is gone.

      $ coffer kv delete secret/creds
      $ coffer kv delete -versions=2,3 secret/creds
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const target = await kvTarget(ctx, args[0]!, flags.str('mount'));
    const versions = versionsOf(flags.list('versions'));
    let fullPath = target.v1Path;
    let secret;
    try {
      if (target.v2 && versions.length > 0) {
        fullPath = target.apiPath('delete');
        secret = await ctx.api().write(fullPath, { versions });
      } else {
        if (target.v2) fullPath = target.apiPath('data');
        secret = await ctx.api().delete(fullPath);
      }
    } catch (err) {
      throw failure(`Error deleting ${fullPath}`, err);
    }
    if (!secret) {
      if (ctx.format === 'table') ctx.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
      return 0;
    }
    return outputSecret(ctx, secret);
  },
});
