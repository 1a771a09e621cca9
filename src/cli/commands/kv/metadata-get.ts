/** `coffer kv metadata get KEY`: a KV version 2 secret's metadata and its versions. */
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { outputData, outputSecret, printSecretField } from '../../output/format.js';
import { headerForMap, kvV2Path, MOUNT_FLAG, outputPath } from './kv-paths.js';

export default defineCommand({
  name: 'kv metadata get',
  output: 'field',
  flags: { ...MOUNT_FLAG },
  help: `Usage: coffer kv metadata get [options] KEY

  Prints the metadata of the secret at KEY (KV version 2): its settings, custom
  metadata, and each version's creation, deletion and destruction state.

      $ coffer kv metadata get secret/creds
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const fullPath = await kvV2Path(ctx, args[0]!, flags.str('mount'), 'metadata', 'Metadata');
    let secret;
    try {
      secret = await ctx.api().read(fullPath);
    } catch (err) {
      throw failure(`Error reading ${fullPath}`, err);
    }
    if (!secret) throw new CommandFailed(`No value found at ${fullPath}`, 2);
    if (ctx.field) return printSecretField(ctx, secret, ctx.field);
    if (secret.wrap_info || ctx.format !== 'table') return outputSecret(ctx, secret);

    const { versions, ...rest } = (secret.data ?? {}) as Record<string, unknown>;
    if (!versions || typeof versions !== 'object') {
      ctx.err(`No value found at ${fullPath}`);
      outputSecret(ctx, secret);
      return 2;
    }
    outputPath(ctx, fullPath, 'Metadata Path');
    ctx.out(headerForMap('Metadata', rest));
    outputSecret(ctx, { ...secret, data: rest });
    const byVersion = versions as Record<string, Record<string, unknown>>;
    for (const v of Object.keys(byVersion).map(Number).sort((a, b) => a - b)) {
      ctx.out(`\n${headerForMap(`Version ${v}`, byVersion[String(v)])}`);
      outputData(ctx, byVersion[String(v)]);
    }
    return 0;
  },
});
