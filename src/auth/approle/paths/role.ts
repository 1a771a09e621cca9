/** `role/` (LIST), `role/:role_name` (create, read, update, delete) and `role/:role_name/role-id`. */
import { z } from 'zod';
import { invalidRequest, notFound } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { applyOps } from '../../../logical/storage.js';
import { listEntries, pageFields } from '../../../framework/listing.js';
import type { AppRoleState } from '../mount-state.js';
import { applyRoleChange, checkRoleId, roleData, roleSettingFields, saveRole, type RoleChange } from '../role-config.js';
import { accessorFolder, deleteFolder, getRole, hmacOf, requireRoleName, roleIdKey, roleKey, secretIdFolder, type RoleEntry } from '../storage.js';

const nameField = { role_name: z.string().describe('Name of the role; case-insensitive') };
const roleFields = { ...nameField, ...roleSettingFields };

/** Role writes are rare: one lock for the mount keeps a role and the role-id index in step. */
export const ROLES_LOCK = 'roles';

/** The role, or a 404 naming it (paths that act on an existing role). */
export async function requireRole(ctx: HandlerContext<{ role_name: string }>): Promise<RoleEntry> {
  const name = requireRoleName(ctx.fields.role_name);
  const role = await getRole(ctx.storage, name);
  if (!role) throw notFound(`role "${name}" does not exist`);
  return role;
}

/** Applies `change` to an existing role (or creates it when `create`) under the role lock. */
export async function changeRole(ctx: HandlerContext<{ role_name: string }>, state: AppRoleState, change: RoleChange, create = false) {
  const name = requireRoleName(ctx.fields.role_name);
  const warnings: string[] = [];
  await state.locks.run(ROLES_LOCK, async () => {
    const current = await getRole(ctx.storage, name);
    if (!current && !create) throw notFound(`role "${name}" does not exist`);
    const next = applyRoleChange(current, name, change, ctx.system.maxLeaseTtl, warnings);
    try {
      await saveRole(ctx.storage, await state.ensureSalt(ctx.storage), current, next);
    } finally {
      state.rolesChanged();
    }
  });
  return warnings.length > 0 ? { warnings } : null;
}

export function rolePaths(state: AppRoleState): PathDefinition[] {
  return [
    definePath({
      pattern: 'role/?',
      fields: pageFields,
      operations: { list: (ctx) => listEntries(ctx.storage, 'role/', ctx.fields) },
      help: { synopsis: 'List the roles of this mount.' },
    }),
    definePath({
      pattern: 'role/:role_name',
      fields: roleFields,
      existenceCheck: async (ctx) => {
        const name = ctx.fields.role_name.trim().toLowerCase();
        return name !== '' && !name.includes('/') && (await getRole(ctx.storage, name)) !== null;
      },
      operations: {
        create: (ctx) => changeRole(ctx, state, ctx.fields, true),
        update: (ctx) => changeRole(ctx, state, ctx.fields, true),
        read: async (ctx) => {
          const role = await getRole(ctx.storage, requireRoleName(ctx.fields.role_name));
          return role ? { data: roleData(role) } : null;
        },
        delete: async (ctx) => {
          const name = requireRoleName(ctx.fields.role_name);
          await state.locks.run(ROLES_LOCK, async () => {
            const role = await getRole(ctx.storage, name);
            if (!role) return;
            const salt = await state.readSalt(ctx.storage);
            // Role and index first: from then on no secret id of the role logs in, whatever is left.
            try {
              await applyOps(ctx.storage, [
                { kind: 'delete', key: roleKey(name) },
                ...(salt ? [{ kind: 'delete' as const, key: roleIdKey(hmacOf(salt, role.roleId)) }] : []),
              ]);
            } finally {
              state.rolesChanged();
            }
            await deleteFolder(ctx.storage, accessorFolder(role));
            await deleteFolder(ctx.storage, secretIdFolder(role));
          });
          return null;
        },
      },
      help: {
        synopsis: 'Create, read, update or delete a role.',
        description:
          'A role needs at least one constraint: bind_secret_id (the default), secret_id_bound_cidrs or token_bound_cidrs. ' +
          'Deleting a role destroys its secret ids.',
      },
    }),
    definePath({
      pattern: 'role/:role_name/role-id',
      fields: { ...nameField, role_id: z.string().optional().describe('The new role id') },
      operations: {
        read: async (ctx) => {
          const role = await getRole(ctx.storage, requireRoleName(ctx.fields.role_name));
          return role ? { data: { role_id: role.roleId } } : null;
        },
        update: async (ctx) => {
          if (ctx.fields.role_id === undefined) throw invalidRequest('missing role_id');
          return changeRole(ctx, state, { role_id: checkRoleId(ctx.fields.role_id) });
        },
      },
      help: { synopsis: "Read a role's role id, or set a custom one." },
    }),
  ];
}
