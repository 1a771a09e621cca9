/** `coffer token renew [TOKEN]`: extend a token's TTL (the caller's own by default). */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputSecretOrField } from '../../output/format.js';

export default defineCommand({
  name: 'token renew',
  output: 'field',
  flags: {
    increment: { type: 'duration', aliases: ['i'], usage: 'The TTL to ask for, from now, e.g. 1h. The default is the token\'s own TTL.' },
    accessor: { type: 'bool', default: false, usage: 'Treat the argument as a token accessor, not a token.' },
  },
  help: `Usage: coffer token renew [options] [TOKEN | ACCESSOR]

  Renews a token, extending its TTL, within its maximum TTL. With no argument,
  the calling token is renewed.

      $ coffer token renew
      $ coffer token renew -increment=30m hvs.XXXXXXXX
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0, 1);
    const accessor = flags.bool('accessor');
    if (accessor && args.length === 0) throw new UsageError('An accessor is required with -accessor');
    const increment = flags.str('increment');
    const inc = increment !== undefined ? { increment } : {};
    let secret;
    try {
      if (accessor) secret = await ctx.api().write('auth/token/renew-accessor', { accessor: args[0], ...inc });
      else if (args.length === 1) secret = await ctx.api().write('auth/token/renew', { token: args[0], ...inc });
      else secret = await ctx.api().write('auth/token/renew-self', inc);
    } catch (err) {
      throw failure('Error renewing token', err);
    }
    if (!secret) throw failure('Error renewing token', new Error('empty answer from the server'));
    return outputSecretOrField(ctx, secret);
  },
});
