/** `coffer kv put KEY K=V…`: write a secret (a new version on KV version 2). */
import type { Context } from '../../context.js';
import type { Secret } from '../../../api/logical.js';
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { parseKvArgs } from '../../kv-args.js';
import { outputData, outputSecret, printSecretField } from '../../output/format.js';
import { headerForMap, kvTarget, MOUNT_FLAG, outputPath } from './kv-paths.js';

/** What put and patch print after writing a v2 secret: its path and the new version's metadata. */
export function printWritten(ctx: Context, fullPath: string, secret: Secret | null): number {
  if (!secret) {
    if (ctx.format === 'table') ctx.out(`Success! Data written to: ${fullPath}`);
    return 0;
  }
  if (ctx.field) return printSecretField(ctx, secret, ctx.field);
  if (secret.wrap_info || ctx.format !== 'table') return outputSecret(ctx, secret);
  const metadata = (secret.data ?? {}) as Record<string, unknown>;
  outputPath(ctx, fullPath, 'Secret Path');
  ctx.out(headerForMap('Metadata', metadata));
  return outputData(ctx, metadata);
}

export default defineCommand({
  name: 'kv put',
  output: 'field',
  flags: {
    ...MOUNT_FLAG,
    cas: {
      type: 'int',
      default: -1,
      usage: 'Check-and-set (KV version 2): write only if the current version is this one; 0 writes only if the key does not exist yet. -1 (the default) does no check.',
    },
  },
  help: `Usage: coffer kv put [options] KEY [DATA K=V...]

  Writes the data to KEY in a key/value mount, replacing what was there. On
  KV version 2 this creates a new version. Data is given as for "write":
  key=value, key=@file, key=- (stdin), or - for a JSON object on stdin.

      $ coffer kv put secret/creds user=admin password=@pw.txt
      $ coffer kv put -mount=secret -cas=3 creds password=new
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1, Infinity);
    if (args.length === 1) throw new UsageError('Must supply data');
    const data = await parseKvArgs(ctx.io, args.slice(1));
    const target = await kvTarget(ctx, args[0]!, flags.str('mount'));
    let fullPath = target.v1Path;
    let body: Record<string, unknown> = data;
    if (target.v2) {
      fullPath = target.apiPath('data');
      const cas = flags.int('cas') ?? -1;
      body = { data, options: cas > -1 ? { cas } : {} };
    }
    let secret;
    try {
      secret = await ctx.api().write(fullPath, body);
    } catch (err) {
      throw failure(`Error writing data to ${fullPath}`, err);
    }
    return printWritten(ctx, fullPath, secret);
  },
});
