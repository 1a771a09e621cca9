/**
 * The `creds` lease type: the one lease manager renews and revokes database users through
 * these, with retries and the irrevocable list when the database cannot be reached.
 */
import type { BackgroundContext, LeaseType } from '../../framework/backend.js';
import type { ConnectionCache } from './connections.js';
import { redactedError } from './errors.js';
import { CREDS_LEASE } from './paths/creds.js';
import { readRole, type CredsLeaseData } from './storage.js';

export function credsLeaseType(connections: ConnectionCache): LeaseType {
  async function open(ctx: BackgroundContext, lease: CredsLeaseData) {
    return connections.get(ctx.storage, ctx.logger, lease.db_name);
  }

  return {
    type: CREDS_LEASE,
    renew: async (ctx, lease) => {
      const data = lease.internalData as unknown as CredsLeaseData;
      const role = await readRole(ctx.storage, data.role);
      if (!role) throw new Error(`role "${data.role}" no longer exists`);
      const now = ctx.clock();
      const wanted = lease.increment > 0 ? lease.increment : role.default_ttl || ctx.system.defaultLeaseTtl;
      const maxTtl = Math.min(role.max_ttl || ctx.system.maxLeaseTtl, ctx.system.maxLeaseTtl);
      const until = Math.min(now + wanted * 1000, lease.issueTime + maxTtl * 1000);
      if (until <= now) throw new Error('the credential has reached its max_ttl');
      const { config, conn } = await open(ctx, data);
      try {
        await conn.renewUser({ username: data.username, expiration: new Date(until), statements: role.renew_statements });
      } catch (err) {
        throw redactedError(err, [config.password, config.connection_url]);
      }
      return { ttl: Math.floor((until - now) / 1000) };
    },
    revoke: async (ctx, lease) => {
      const data = lease.internalData as unknown as CredsLeaseData;
      // A deleted role leaves its users to the plugin's default revocation.
      const role = await readRole(ctx.storage, data.role);
      const { config, conn } = await open(ctx, data);
      try {
        await conn.revokeUser({ username: data.username, statements: role?.revocation_statements ?? [] });
      } catch (err) {
        throw redactedError(err, [config.password, config.connection_url]);
      }
    },
  };
}
