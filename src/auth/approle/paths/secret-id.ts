/**
 * A role's secret ids: generate (`secret-id`, also LIST of accessors), `custom-secret-id`,
 * lookup and destroy by value (`secret-id/lookup|destroy`) or by accessor
 * (`secret-id-accessor/lookup|destroy`). An accessor is looked up only among the named role's
 * own secret ids: another role's accessor is "not found", and nothing of it is touched.
 *
 * Generating works wrapped (X-Vault-Wrap-TTL): core wraps the answer like any other.
 */
import { z } from 'zod';
import { invalidRequest, notFound } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { listEntries, pageFields } from '../../../framework/listing.js';
import type { AppRoleState } from '../mount-state.js';
import { destroySecretId, findSecretId, issueSecretId, secretIdData, type IssueFields } from '../secret-ids.js';
import { accessorFolder, accessorKey, getSecretId, type RoleEntry } from '../storage.js';
import { requireRole } from './role.js';

const roleName = z.string();

const issueFields = {
  role_name: roleName,
  metadata: z.unknown().optional().describe('JSON object of strings (or a string holding one) copied onto the tokens this secret id logs in'),
  cidr_list: f.commaList().optional().describe('CIDR blocks this secret id may log in from; within the role\u2019s secret_id_bound_cidrs'),
  token_bound_cidrs: f.commaList().optional().describe('CIDR blocks the tokens may be used from; within the role\u2019s token_bound_cidrs'),
  num_uses: f.int().optional().describe('Logins allowed; at most the role\u2019s secret_id_num_uses'),
  ttl: f.duration().optional().describe('Lifetime; at most the role\u2019s secret_id_ttl'),
};

type IssueCtx = HandlerContext<IssueFields & { role_name: string; secret_id?: string }>;

/** The entry an accessor names within this role, or a 404. */
async function byAccessor(ctx: HandlerContext<{ role_name: string; secret_id_accessor?: string }>, role: RoleEntry) {
  const accessor = (ctx.fields.secret_id_accessor ?? '').trim();
  if (accessor === '') throw invalidRequest('missing secret_id_accessor');
  // Accessors are UUIDs; anything else cannot name an entry (and must not reach a storage key).
  const hmac = /^[0-9a-f-]{36}$/.test(accessor) ? (await ctx.storage.get(accessorKey(role, accessor)))?.toString('utf8') : undefined;
  const entry = hmac ? await getSecretId(ctx.storage, role, hmac) : null;
  if (!hmac || !entry || entry.accessor !== accessor) throw notFound(`no secret id of role "${role.name}" has the accessor "${accessor.slice(0, 64)}"`);
  return { hmac, entry };
}

function secretIdOf(ctx: HandlerContext<{ secret_id?: string }>): string {
  const secretId = (ctx.fields.secret_id ?? '').trim();
  if (secretId === '') throw invalidRequest('missing secret_id');
  return secretId;
}

export function secretIdPaths(state: AppRoleState): PathDefinition[] {
  const issue = async (ctx: IssueCtx, custom?: string): Promise<Response> => {
    const role = await requireRole(ctx);
    const data = await issueSecretId(ctx, state, role, ctx.fields, custom);
    // Wrapped, the answer still names the secret id's accessor (wrap_info.wrapped_accessor), as Vault's does.
    return { data, wrappedAccessor: data.secret_id_accessor as string };
  };

  /** The role named in the path and its secret id given in the body; entry null when there is none. */
  const bySecretId = async (ctx: HandlerContext<{ role_name: string; secret_id?: string }>) => {
    const secretId = secretIdOf(ctx);
    const role = await requireRole(ctx);
    const salt = await state.readSalt(ctx.storage);
    return { role, entry: salt ? await findSecretId(ctx.storage, role, salt, secretId) : null };
  };
  // Destroying a secret id that does not exist succeeds, as in Vault.
  const destroyBySecretId = async (ctx: HandlerContext<{ role_name: string; secret_id?: string }>) => {
    const { role, entry } = await bySecretId(ctx);
    if (entry) await destroySecretId(ctx.storage, state, role, entry.hmac);
    return null;
  };
  const destroyByAccessor = async (ctx: HandlerContext<{ role_name: string; secret_id_accessor?: string }>) => {
    const role = await requireRole(ctx);
    await destroySecretId(ctx.storage, state, role, (await byAccessor(ctx, role)).hmac);
    return null;
  };

  return [
    definePath({
      pattern: 'role/:role_name/secret-id/?',
      fields: { ...issueFields, ...pageFields },
      operations: {
        update: (ctx) => issue(ctx),
        list: async (ctx) => listEntries(ctx.storage, accessorFolder(await requireRole(ctx)), ctx.fields),
      },
      help: {
        synopsis: 'Generate a secret id for the role (POST), or list the accessors of its secret ids (LIST).',
        description: 'Ask for the answer wrapped (X-Vault-Wrap-TTL) to hand the secret id over without anyone else seeing it.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/custom-secret-id',
      fields: { ...issueFields, secret_id: z.string().optional().describe('The secret id to register') },
      operations: { update: (ctx) => issue(ctx, ctx.fields.secret_id ?? '') },
      help: { synopsis: 'Register a secret id chosen by the caller (the "push" model).' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/lookup/?',
      fields: { role_name: roleName, secret_id: z.string().optional() },
      operations: {
        update: async (ctx) => {
          const { entry } = await bySecretId(ctx);
          return entry ? { data: secretIdData(entry) } : null;
        },
      },
      help: { synopsis: 'Read the properties of a secret id (never the secret id itself).' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/destroy/?',
      fields: { role_name: roleName, secret_id: z.string().optional() },
      operations: {
        update: destroyBySecretId,
        delete: destroyBySecretId,
      },
      help: { synopsis: 'Destroy a secret id: it logs in no more.' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/lookup/?',
      fields: { role_name: roleName, secret_id_accessor: z.string().optional() },
      operations: {
        update: async (ctx) => {
          const role = await requireRole(ctx);
          return { data: secretIdData((await byAccessor(ctx, role)).entry) };
        },
      },
      help: { synopsis: 'Read the properties of one of the role\u2019s secret ids by its accessor.' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/destroy/?',
      fields: { role_name: roleName, secret_id_accessor: z.string().optional() },
      operations: {
        update: destroyByAccessor,
        delete: destroyByAccessor,
      },
      help: { synopsis: 'Destroy one of the role\u2019s secret ids by its accessor.' },
    }),
  ];
}
