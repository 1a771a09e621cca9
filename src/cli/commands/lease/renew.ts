/** `coffer lease renew [-increment=DURATION] LEASE_ID`: extend a lease, within its max TTL. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { outputSecretOrField } from '../../output/format.js';

export default defineCommand({
  name: 'lease renew',
  output: 'field',
  flags: {
    increment: { type: 'duration', aliases: ['i'], usage: 'The TTL to ask for, from now, e.g. 1h. The default is the engine\'s own TTL.' },
  },
  help: `Usage: coffer lease renew [options] LEASE_ID

  Renews a lease: the secret stays valid for the increment from now, never past
  the lease's maximum TTL (the answer warns when it was capped).

      $ coffer lease renew -increment=1h database/creds/readonly/2f6a614c4aa6e39c0bd3e8a1
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const increment = flags.str('increment');
    let secret;
    try {
      secret = await ctx.api().write('sys/leases/renew', { lease_id: args[0], ...(increment !== undefined ? { increment } : {}) });
    } catch (err) {
      throw failure('Error renewing lease', err);
    }
    if (!secret) throw failure('Error renewing lease', new Error('empty answer from the server'));
    return outputSecretOrField(ctx, secret);
  },
});
