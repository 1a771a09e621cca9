/** `coffer token lookup [TOKEN]`: a token's properties (the caller's own by default). */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputSecretOrField } from '../../output/format.js';

export default defineCommand({
  name: 'token lookup',
  output: 'field',
  flags: { accessor: { type: 'bool', default: false, usage: 'Treat the argument as a token accessor, not a token.' } },
  help: `Usage: coffer token lookup [options] [TOKEN | ACCESSOR]

  Prints a token's properties: policies, TTL, creation time, metadata. With no
  argument, the calling token is looked up.

      $ coffer token lookup
      $ coffer token lookup hvs.XXXXXXXX
      $ coffer token lookup -accessor 8609694a-cdbc-db9b-d345-e782dbb562ed
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0, 1);
    const accessor = flags.bool('accessor');
    if (accessor && args.length === 0) throw new UsageError('An accessor is required with -accessor');
    let secret;
    try {
      if (accessor) secret = await ctx.api().write('auth/token/lookup-accessor', { accessor: args[0] });
      else if (args.length === 1) secret = await ctx.api().write('auth/token/lookup', { token: args[0] });
      else secret = await ctx.api().read('auth/token/lookup-self');
    } catch (err) {
      throw failure('Error looking up token', err);
    }
    if (!secret) throw failure('Error looking up token', new Error('empty answer from the server'));
    return outputSecretOrField(ctx, secret);
  },
});
