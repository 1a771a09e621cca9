/** `coffer operator unseal [KEY]`: submit one unseal key share, or reset the attempt. */
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { printSealStatus, withLeader, type SealStatus } from '../seal-status-output.js';
import { keyInput } from './key-input.js';

export default defineCommand({
  name: 'operator unseal',
  output: 'format',
  flags: {
    reset: { type: 'bool', default: false, usage: 'Discard the key shares submitted so far.' },
    migrate: { type: 'bool', default: false, usage: 'Accepted for compatibility; seal migration is not supported.' },
  },
  help: `Usage: coffer operator unseal [options] [KEY]

  Submits one unseal key share. Once the threshold of shares is reached, the
  server unseals. Run it once per share; the progress is printed each time.

  When KEY is not given, it is asked for without echo on a terminal, or read
  as the first line of stdin when stdin is not a terminal. "-" reads all of
  stdin. Giving the key as an argument leaves it in your shell history.

      $ coffer operator unseal
      Unseal Key (will be hidden):
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0, 1);
    let status: SealStatus | null;
    if (flags.bool('reset')) {
      try {
        status = await ctx.api().call<SealStatus>('PUT', 'sys/unseal', { reset: true });
      } catch (err) {
        throw failure('Error resetting unseal process', err);
      }
    } else {
      const { key } = await keyInput(ctx, args[0], 'Unseal Key (will be hidden): ');
      if (key === '') throw new CommandFailed('Error unsealing: no unseal key was given');
      try {
        status = await ctx.api().call<SealStatus>('PUT', 'sys/unseal', { key });
      } catch (err) {
        throw failure('Error unsealing', err);
      }
    }
    return printSealStatus(ctx, await withLeader(ctx, status ?? {}));
  },
});
