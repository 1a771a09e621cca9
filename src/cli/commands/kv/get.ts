/** `coffer kv get KEY`: read a secret from a KV mount (either version). */
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { outputData, outputSecret, printField, printSecretField, printWarnings } from '../../output/format.js';
import { headerForMap, kvTarget, MOUNT_FLAG, outputPath } from './kv-paths.js';

export default defineCommand({
  name: 'kv get',
  output: 'field',
  flags: {
    ...MOUNT_FLAG,
    version: { type: 'int', default: 0, usage: 'The version to read (KV version 2). The default is the latest.' },
  },
  help: `Usage: coffer kv get [options] KEY

  Reads the secret at KEY from a key/value mount. The mount's KV version is
  detected; for version 2 the latest version is read unless -version says.

      $ coffer kv get secret/creds
      $ coffer kv get -mount=secret -version=1 creds
      $ coffer kv get -field=password secret/creds
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const target = await kvTarget(ctx, args[0]!, flags.str('mount'));
    const fullPath = target.v2 ? target.apiPath('data') : target.v1Path;
    const version = flags.int('version') ?? 0;
    const query = target.v2 && version > 0 ? { version: String(version) } : undefined;
    let secret;
    try {
      secret = await ctx.api().read(fullPath, query);
    } catch (err) {
      throw failure(`Error reading ${fullPath}`, err);
    }
    if (!secret) throw new CommandFailed(`No value found at ${fullPath}`, 2);
    const body = (secret.data ?? null) as Record<string, unknown> | null;

    if (ctx.field) {
      // A wrapped answer has only wrap_info: -field names one of its values (wrapping_token…).
      if (!target.v2 || secret.wrap_info) return printSecretField(ctx, secret, ctx.field);
      const data = body?.data as Record<string, unknown> | null | undefined;
      if (!data) throw new CommandFailed(`No data found at ${fullPath}`, 2);
      if (ctx.field === 'data' && !('data' in data)) return printSecretField(ctx, secret, ctx.field);
      return printField(ctx, data[ctx.field], ctx.field, 'map');
    }
    if (secret.wrap_info || ctx.format !== 'table') return outputSecret(ctx, secret);

    printWarnings(ctx, secret);
    if (target.v2) outputPath(ctx, fullPath, 'Secret Path');
    const metadata = body?.metadata as Record<string, unknown> | null | undefined;
    if (metadata) {
      ctx.out(headerForMap('Metadata', metadata));
      outputData(ctx, metadata);
      ctx.out('');
    }
    const data = target.v2 ? ((body?.data ?? null) as Record<string, unknown> | null) : body;
    if (data) {
      ctx.out(headerForMap('Data', data));
      outputData(ctx, data);
    }
    return 0;
  },
});
