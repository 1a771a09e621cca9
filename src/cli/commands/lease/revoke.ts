/** `coffer lease revoke [-prefix] [-force] [-sync] ID`: revoke one lease, or every lease under a prefix. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';

export default defineCommand({
  name: 'lease revoke',
  flags: {
    prefix: { type: 'bool', default: false, usage: 'Revoke every lease (and token) whose id starts with the argument. Needs sudo.' },
    force: { type: 'bool', default: false, usage: 'With -prefix: remove the leases even when the engine cannot revoke the secrets. The secrets may live on. Needs sudo.' },
    sync: { type: 'bool', default: true, usage: 'Wait until the revocation is done; -sync=false returns at once.' },
  },
  help: `Usage: coffer lease revoke [options] ID

  Revokes a lease now: the engine that issued the secret revokes it, then the
  lease is removed. Revoking a lease that does not exist succeeds.

      $ coffer lease revoke database/creds/readonly/2f6a614c4aa6e39c0bd3e8a1
      $ coffer lease revoke -prefix database/creds/
      $ coffer lease revoke -prefix auth/userpass/
      $ coffer lease revoke -prefix -force database/creds/
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1);
    const prefix = flags.bool('prefix');
    const force = flags.bool('force');
    const sync = flags.bool('sync');
    if (force && !prefix) throw new UsageError('-force requires -prefix');
    if (force && !sync) throw new UsageError('-force cannot be used with -sync=false');
    const id = args[0]!;
    try {
      if (force) await ctx.api().write(`sys/leases/revoke-force/${id}`);
      else if (prefix) await ctx.api().write(`sys/leases/revoke-prefix/${id}`, { sync });
      else await ctx.api().write('sys/leases/revoke', { lease_id: id, sync });
    } catch (err) {
      throw failure('Error revoking lease', err);
    }
    if (force) ctx.out(`Success! Force revoked any leases with prefix: ${id}`);
    else if (!sync) ctx.out('All revocation operations queued successfully!');
    else ctx.out(prefix ? `Success! Revoked any leases with prefix: ${id}` : `Success! Revoked lease: ${id}`);
    return 0;
  },
});
