/** `coffer status`: seal and HA status. Exit 0 unsealed, 2 sealed, 1 on error. */
import { defineCommand, expectArgs } from '../command.js';
import { failure } from '../errors.js';
import { printSealStatus, withLeader, type SealStatus } from './seal-status-output.js';

export default defineCommand({
  name: 'status',
  output: 'format',
  help: `Usage: coffer status [options]

  Prints whether the server is initialized and sealed, its unseal progress,
  and its HA status. No token is needed.

  The exit code tells the state: 0 unsealed, 2 sealed, 1 an error (such as an
  unreachable server).

      $ coffer status
`,
  async run(ctx, args) {
    expectArgs(args, 0);
    let status: SealStatus | null;
    try {
      status = await ctx.api().call<SealStatus>('GET', 'sys/seal-status');
    } catch (err) {
      throw failure('Error checking seal status', err);
    }
    if (!status) throw failure('Error checking seal status', new Error('empty answer from the server'));
    printSealStatus(ctx, await withLeader(ctx, status));
    return status.sealed ? 2 : 0;
  },
});
