/** `kv undelete` and `kv destroy`: the same shape, a list of versions posted to `<mount>/<action>/<key>`. */
import { defineCommand, expectArgs, type CommandDef } from '../../command.js';
import { UsageError } from '../../flags.js';
import { kvV2Path, MOUNT_FLAG, versionsOf } from './kv-paths.js';
import { writeV2 } from './v2-write.js';

export function versionsCommand(opts: { action: 'undelete' | 'destroy'; verb: string; help: string }): CommandDef {
  return defineCommand({
    name: `kv ${opts.action}`,
    output: 'format',
    flags: {
      ...MOUNT_FLAG,
      versions: { type: 'string', repeatable: true, usage: `The versions to ${opts.action}, comma-separated or repeated. Required.` },
    },
    help: opts.help,
    async run(ctx, args, flags) {
      expectArgs(args, 1);
      const versions = versionsOf(flags.list('versions'));
      if (versions.length === 0) {
        throw new UsageError(`No versions provided, use the "-versions" flag to specify the version to ${opts.action}.`);
      }
      const fullPath = await kvV2Path(ctx, args[0]!, flags.str('mount'), opts.action, opts.verb);
      return writeV2(ctx, fullPath, (api) => api.write(fullPath, { versions }));
    },
  });
}
