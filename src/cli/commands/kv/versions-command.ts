/** `kv undelete` and `kv destroy`: the same shape, a list of versions posted to `<mount>/<action>/<key>`. */
import { defineCommand, expectArgs, type CommandDef } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputSecret } from '../../output/format.js';
import { kvTarget, MOUNT_FLAG, versionsOf } from './kv-paths.js';

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
      const target = await kvTarget(ctx, args[0]!, flags.str('mount'));
      if (!target.v2) throw new CommandFailed(`${opts.verb} not supported on KV Version 1`);
      const fullPath = target.apiPath(opts.action);
      let secret;
      try {
        secret = await ctx.api().write(fullPath, { versions });
      } catch (err) {
        throw failure(`Error writing data to ${fullPath}`, err);
      }
      if (!secret) {
        if (ctx.format === 'table') ctx.out(`Success! Data written to: ${fullPath}`);
        return 0;
      }
      return outputSecret(ctx, secret);
    },
  });
}
