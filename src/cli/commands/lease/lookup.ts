/** `coffer lease lookup LEASE_ID`: a lease's issue time, expiry, TTL and renewability. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { outputSecretOrField } from '../../output/format.js';

export default defineCommand({
  name: 'lease lookup',
  output: 'field',
  flags: {},
  help: `Usage: coffer lease lookup [options] LEASE_ID

  Prints a lease's issue time, expiry, last renewal, TTL and whether it can be
  renewed. Tokens are leases too: their ids are their creation path and hash.

      $ coffer lease lookup database/creds/readonly/2f6a614c4aa6e39c0bd3e8a1
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    let secret;
    try {
      secret = await ctx.api().write('sys/leases/lookup', { lease_id: args[0] });
    } catch (err) {
      throw failure('Error looking up lease', err);
    }
    if (!secret) throw failure('Error looking up lease', new Error('empty answer from the server'));
    return outputSecretOrField(ctx, secret);
  },
});
