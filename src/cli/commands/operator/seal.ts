/** `coffer operator seal`: seal the server. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'operator seal',
  help: `Usage: coffer operator seal [options]

  Seals the server: its key material is dropped from memory and every request
  but a few status endpoints fails until it is unsealed again with a threshold
  of unseal key shares. Needs a token with sudo on sys/seal.

      $ coffer operator seal
`,
  async run(ctx, args) {
    expectArgs(args, 0);
    try {
      await ctx.api().call('PUT', 'sys/seal');
    } catch (err) {
      throw failure('Error sealing', err);
    }
    ctx.out('Success! Coffer is sealed.');
    return 0;
  },
});
