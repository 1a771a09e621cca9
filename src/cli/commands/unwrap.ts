/** `coffer unwrap [TOKEN]`: open a wrapping token and print what it held. */
import { createWrapping } from '../../api/wrapping.js';
import { defineCommand, expectArgs } from '../command.js';
import { failure } from '../errors.js';
import { outputList, outputSecret, printSecretField } from '../output/format.js';

export default defineCommand({
  name: 'unwrap',
  output: 'field',
  help: `Usage: coffer unwrap [options] [TOKEN]

  Opens a wrapping token and prints the answer it holds, as "coffer read" would
  have printed the original. The wrapping token works once: after this, it is
  gone. Without TOKEN, the current token is taken to be the wrapping token.

      $ coffer unwrap hvs.CAESI...

  Unwrap with the wrapping token as the current token:

      $ COFFER_TOKEN=hvs.CAESI... coffer unwrap
`,
  async run(ctx, args) {
    expectArgs(args, 0, 1);
    const token = args[0]?.trim();
    let secret;
    try {
      secret = await createWrapping(ctx.api()).unwrap(token);
    } catch (err) {
      throw failure('Error unwrapping', err);
    }
    if (!secret) {
      if (ctx.format === 'table') ctx.out('Successfully unwrapped. There was no data in the wrapped secret.');
      return 0;
    }
    if (ctx.field) return printSecretField(ctx, secret, ctx.field);
    // A wrapped list prints as a list, as Vault's CLI does.
    const data = secret.data as Record<string, unknown> | null;
    if (data && Array.isArray(data.keys)) return outputList(ctx, secret);
    return outputSecret(ctx, secret);
  },
});
