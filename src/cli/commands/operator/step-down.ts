/** `coffer operator step-down`: the active node of an HA cluster gives up the lock. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'operator step-down',
  help: `Usage: coffer operator step-down [options]

  Makes the active node of an HA cluster give up its lock and become a standby,
  so that another node takes over (for maintenance of the active node). Sent to
  a standby, the request is forwarded to the active node. Needs a token with
  sudo on sys/step-down.

      $ coffer operator step-down
`,
  async run(ctx, args) {
    expectArgs(args, 0);
    try {
      await ctx.api().call('PUT', 'sys/step-down');
    } catch (err) {
      throw failure('Error stepping down', err);
    }
    ctx.out('Success! Stepped down the active node.');
    return 0;
  },
});
