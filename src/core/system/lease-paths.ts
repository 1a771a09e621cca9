/**
 * sys/leases/* and the legacy sys/renew, sys/revoke, sys/revoke-prefix, sys/revoke-force.
 * A lease id names either a secret's lease (kept by the expiration manager) or a token
 * (its creation path and hash): both answer lookups, listings and revocations.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath, type HandlerContext } from '../../framework/backend.js';
import { f } from '../../framework/fields.js';
import type { Response } from '../../logical/request.js';
import type { Core } from '../core.js';
import { isValidLeaseId, leaseLookupData } from '../expiration/lease-entry.js';
import { countLeases, irrevocableLeases, listLeaseKeys } from '../expiration/lease-queries.js';
import { findTokenLease, tokenLeaseData } from '../expiration/token-leases.js';

const QUEUED = 'Revocation started in the background; failures are written to the server log.';

type IdFields = { lease_id?: string; url_lease_id?: string };

function leaseIdOf(fields: IdFields): string {
  const id = (fields.url_lease_id || fields.lease_id || '').trim();
  if (id === '') throw invalidRequest('lease_id must be specified');
  if (!isValidLeaseId(id)) throw invalidRequest(`invalid lease id "${id.slice(0, 200)}"`);
  return id;
}

function prefixOf(raw: string): string {
  const prefix = raw.trim();
  if (prefix === '' || prefix.split('/').some((s, i, all) => (s === '' && i < all.length - 1) || s === '.' || s === '..')) {
    throw invalidRequest('a lease prefix such as "database/creds/" is required');
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export function leasePaths(core: Core) {
  const idFields = { lease_id: z.string().optional(), url_lease_id: z.string().optional() };

  const lookup = async ({ fields }: HandlerContext<IdFields>): Promise<Response> => {
    const id = leaseIdOf(fields);
    const now = core.clock();
    const lease = await core.expiration.read(id);
    if (lease) return { data: leaseLookupData({ id, ...lease }, now) };
    const token = await findTokenLease(core.tokens, id);
    if (token) return { data: leaseLookupData(tokenLeaseData(token), now) };
    throw invalidRequest('invalid lease');
  };

  const renew = async ({ fields }: HandlerContext<IdFields & { increment?: number }>): Promise<Response> => {
      const id = leaseIdOf(fields);
      if (!(await core.expiration.read(id)) && (await findTokenLease(core.tokens, id))) {
        throw invalidRequest('tokens cannot be renewed through this endpoint; use auth/token/renew');
      }
      const { entry, ttl, data, warnings } = await core.expiration.renew(id, fields.increment ?? 0);
      return { leaseId: id, secret: { type: entry.type, ttl, renewable: entry.renewable }, data: data ?? null, warnings };
  };

  const revoke = async ({ fields }: HandlerContext<IdFields & { sync?: boolean }>): Promise<Response | null> => {
      const id = leaseIdOf(fields);
      const token = (await core.expiration.read(id)) ? null : await findTokenLease(core.tokens, id);
      const work = token ? core.tokens.revokeTree(token) : core.expiration.revoke(id);
      if (fields.sync === false) {
        work.catch((err: unknown) => core.logger.warn('asynchronous lease revocation failed', { lease_id: id, error: String(err) }));
        return { status: 202, warnings: [QUEUED] };
      }
      await work;
      return null;
  };

  const revokePrefix = (force: boolean) => async ({ fields }: HandlerContext<{ prefix: string; sync?: boolean }>): Promise<Response | null> => {
      const prefix = prefixOf(fields.prefix);
      const work = core.expiration.revokePrefixWithTokens(prefix, { force });
      if (fields.sync === false) {
        work.catch((err: unknown) => core.logger.warn('asynchronous prefix revocation failed', { prefix, error: String(err) }));
        return { status: 202, warnings: [QUEUED] };
      }
      await work;
      return null;
  };

  const listUnder = async ({ fields }: HandlerContext<{ prefix?: string }>): Promise<Response | null> => {
    const raw = fields.prefix ?? '';
    const prefix = raw === '' ? '' : prefixOf(raw);
    const keys = await listLeaseKeys(core, prefix);
    return keys.length ? { data: { keys } } : null;
  };

  // Each operation takes its lease id from the body or, as Vault also allows, from the URL.
  const idPaths = <S extends Record<string, z.ZodType>>(base: string, synopsis: string, extra: S, handler: (ctx: HandlerContext<any>) => Promise<Response | null>) => [
    definePath({ pattern: base, fields: { ...idFields, ...extra }, operations: { update: handler }, help: { synopsis } }),
    definePath({ pattern: `${base}/:url_lease_id*`, fields: { ...idFields, ...extra, url_lease_id: z.string() }, operations: { update: handler }, help: { synopsis } }),
  ];
  const renewFields = { increment: f.duration().optional() };
  const revokeFields = { sync: f.bool().optional() };

  const prefixPaths = (base: string, force: boolean) =>
    definePath({
      pattern: `${base}/:prefix*`,
      fields: { prefix: z.string(), sync: f.bool().optional() },
      operations: { update: revokePrefix(force) },
      help: {
        synopsis: force
          ? 'Delete every lease under a prefix without asking the backends to revoke the secrets (sudo).'
          : 'Revoke every lease under a prefix, tokens created below an auth path included (sudo).',
      },
    });

  return [
    definePath({
      pattern: 'leases/lookup',
      fields: idFields,
      operations: { update: lookup },
      help: { synopsis: 'A lease\'s issue time, expiry, last renewal, TTL and renewability.' },
    }),
    definePath({
      pattern: 'leases/lookup/:prefix*',
      fields: { prefix: z.string().optional() },
      operations: { list: listUnder },
      help: { synopsis: 'List lease ids (and folders) under a prefix (sudo).' },
    }),
    ...idPaths('leases/renew', 'Renew a lease by an increment, capped at its max TTL.', renewFields, renew),
    ...idPaths('renew', 'Renew a lease (legacy path).', renewFields, renew),
    ...idPaths('leases/revoke', 'Revoke a lease now (sync=false: in the background).', revokeFields, revoke),
    ...idPaths('revoke', 'Revoke a lease (legacy path).', revokeFields, revoke),
    prefixPaths('leases/revoke-prefix', false),
    prefixPaths('revoke-prefix', false),
    prefixPaths('leases/revoke-force', true),
    prefixPaths('revoke-force', true),
    definePath({
      pattern: 'leases/tidy',
      operations: {
        update: () => {
          void core.expiration.tidy().then(
            (report) => core.logger.info('lease tidy finished', { ...report }),
            (err: unknown) => core.logger.error('lease tidy failed', { error: String(err) }),
          );
          return { status: 202, warnings: ['Tidy operation successfully started. Its results are written to the server log.'] };
        },
      },
      help: { synopsis: 'Revoke leases whose token is gone and remove dangling lease indexes, in the background.' },
    }),
    definePath({
      pattern: 'leases/count',
      fields: { type: z.enum(['irrevocable', 'all']), include_child_namespaces: f.bool().optional() },
      operations: { read: async ({ fields }) => ({ data: await countLeases(core, fields.type) }) },
      help: { synopsis: 'How many leases exist (type=all) or could not be revoked (type=irrevocable).' },
    }),
    definePath({
      pattern: 'leases',
      fields: { type: z.literal('irrevocable'), include_child_namespaces: f.bool().optional(), limit: z.union([f.int(), z.literal('none')]).optional() },
      operations: {
        read: async ({ fields }) => {
          const limit = fields.limit === undefined ? 10_000 : fields.limit === 'none' ? Infinity : fields.limit;
          if (limit < 1) throw invalidRequest('limit must be a positive number or "none"');
          return { data: await irrevocableLeases(core, limit) };
        },
      },
      help: { synopsis: 'The leases that repeated revocation failures left irrevocable, with their last error.' },
    }),
  ];
}
