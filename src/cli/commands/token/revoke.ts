/** `coffer token revoke [TOKEN]`: revoke a token and (by default) its children. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';

export default defineCommand({
  name: 'token revoke',
  flags: {
    self: { type: 'bool', default: false, usage: 'Revoke the calling token.' },
    accessor: { type: 'bool', default: false, usage: 'Treat the argument as a token accessor, not a token.' },
    mode: {
      type: 'string',
      default: '',
      usage: '"" revokes the token and its children; "orphan" revokes only the token (its children become orphans); "path" revokes every token created under the given path.',
    },
  },
  help: `Usage: coffer token revoke [options] [TOKEN | ACCESSOR]

  Revokes a token and all of its children. Revoking a token that does not
  exist succeeds.

      $ coffer token revoke hvs.XXXXXXXX
      $ coffer token revoke -self
      $ coffer token revoke -mode=orphan hvs.XXXXXXXX
      $ coffer token revoke -accessor 8609694a-cdbc-db9b-d345-e782dbb562ed
`,
  async run(ctx, args, flags) {
    const self = flags.bool('self');
    const accessor = flags.bool('accessor');
    const mode = flags.str('mode') ?? '';
    if (!['', 'orphan', 'path'].includes(mode)) throw new UsageError(`Invalid -mode "${mode}": expected "orphan" or "path"`);
    if (self) {
      if (args.length > 0) throw new UsageError(`Too many arguments with -self (expected 0, got ${args.length})`);
      if (accessor) throw new UsageError('Cannot use -self with -accessor');
      if (mode !== '') throw new UsageError('Cannot use -self with -mode');
    } else expectArgs(args, 1);
    if (accessor && mode === 'path') throw new UsageError('Cannot use -accessor with -mode=path');
    const api = ctx.api();
    try {
      if (self) await api.write('auth/token/revoke-self');
      else if (accessor) await api.write('auth/token/revoke-accessor', { accessor: args[0] });
      else if (mode === 'orphan') await api.write('auth/token/revoke-orphan', { token: args[0] });
      else if (mode === 'path') await api.write(`sys/leases/revoke-prefix/${args[0]}`);
      else await api.write('auth/token/revoke', { token: args[0] });
    } catch (err) {
      throw failure('Error revoking token', err);
    }
    ctx.out('Success! Revoked token (if it existed)');
    return 0;
  },
});
