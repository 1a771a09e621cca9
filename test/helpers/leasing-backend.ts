/**
 * A small dynamic-secrets engine for lease tests: `creds/:role` creates an "account" in the
 * engine's own storage (standing in for a database user) and returns it with a lease; revoking
 * the lease deletes the account. `config` can make revocation or renewal fail, as an
 * unreachable database would. Only the tests and the lease benchmark mount it: no shipped
 * engine issues leases yet, and the lease machinery must be proven before one does.
 */
import { z } from 'zod';
import { defineBackend, definePath, type Backend, type BackgroundContext } from '../../src/framework/backend.js';
import { f } from '../../src/framework/fields.js';
import { getJson, putJson } from '../../src/logical/storage.js';

interface LeasingConfig {
  ttl: number;
  max_ttl: number;
  renewable: boolean;
  fail_revoke: boolean;
  fail_renew: boolean;
}

const DEFAULTS: LeasingConfig = { ttl: 0, max_ttl: 0, renewable: true, fail_revoke: false, fail_renew: false };

async function configOf(ctx: Pick<BackgroundContext, 'storage'>): Promise<LeasingConfig> {
  return { ...DEFAULTS, ...(await getJson<Partial<LeasingConfig>>(ctx.storage, 'config')) };
}

export function leasingBackend(): Backend {
  return defineBackend({
    type: 'leasing',
    help: 'Test engine: accounts with leases.',
    secrets: [
      {
        type: 'account',
        renew: async (ctx) => {
          if ((await configOf(ctx)).fail_renew) throw new Error('account store unreachable (renew)');
        },
        revoke: async (ctx, lease) => {
          if ((await configOf(ctx)).fail_revoke) throw new Error('account store unreachable (revoke)');
          const name = String(lease.internalData.account);
          await ctx.storage.delete(`accounts/${name}`);
          await putJson(ctx.storage, `revoked/${name}`, { revoked_at: Date.now() });
        },
      },
    ],
    paths: [
      definePath({
        pattern: 'config',
        fields: {
          ttl: f.duration().optional(),
          max_ttl: f.duration().optional(),
          renewable: f.bool().optional(),
          fail_revoke: f.bool().optional(),
          fail_renew: f.bool().optional(),
        },
        operations: {
          read: async (ctx) => ({ data: { ...(await configOf(ctx)) } }),
          update: async (ctx) => {
            await putJson(ctx.storage, 'config', { ...(await configOf(ctx)), ...ctx.fields });
            return null;
          },
        },
      }),
      definePath({
        pattern: 'creds/:role',
        fields: { role: z.string() },
        operations: {
          read: async (ctx) => {
            const config = await configOf(ctx);
            const account = `${ctx.fields.role}-${ctx.random(6).toString('hex')}`;
            const password = ctx.random(12).toString('base64url');
            await putJson(ctx.storage, `accounts/${account}`, { created_at: Date.now() });
            return {
              data: { username: account, password },
              secret: { type: 'account', ttl: config.ttl, maxTtl: config.max_ttl, renewable: config.renewable, internalData: { account } },
            };
          },
        },
      }),
      definePath({
        pattern: 'accounts/?',
        operations: { list: async (ctx) => ({ data: { keys: await ctx.storage.list('accounts/') } }) },
      }),
      definePath({
        pattern: 'revoked/?',
        operations: { list: async (ctx) => ({ data: { keys: await ctx.storage.list('revoked/') } }) },
      }),
    ],
  });
}

export const leasingRegistry = { secrets: { leasing: leasingBackend } };
