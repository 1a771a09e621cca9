/**
 * Roles as the jwt and kubernetes methods keep them: `role/<name>` entries, Vault's role-name
 * rule, the CRUD and LIST paths, and the renewal rule that ties a login token to its role.
 */
import type { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath, type BackgroundContext, type HandlerContext, type LoginRenewal, type PathDefinition } from '../../framework/backend.js';
import type { Response } from '../../logical/request.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import { listEntries, pageFields } from '../../framework/listing.js';
import { expectedTokenPolicies, type TokenParams } from './token-params.js';

export const ROLE_PREFIX = 'role/';
const ROLE_NAME = /^[A-Za-z0-9_.@-]{1,128}$/;

/** `.` and `..` fit the pattern but would name the folder itself or its parent in storage. */
export const isRoleName = (name: string) => ROLE_NAME.test(name) && name !== '.' && name !== '..';

export function requireRoleName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw invalidRequest('missing role name');
  if (!isRoleName(name)) throw invalidRequest('invalid role name: use up to 128 letters, digits, "_", "-", "." and "@"');
  return name;
}

export interface StoredRole {
  name: string;
  token: TokenParams;
}

/** The stored role, or null; a name no role can have (`a/../b`, too long) never reaches storage. */
export const getRole = async <R extends StoredRole>(s: Storage, name: string): Promise<R | null> =>
  isRoleName(name) ? getJson<R>(s, ROLE_PREFIX + name) : null;
export const putRole = (s: Storage, r: StoredRole) => putJson(s, ROLE_PREFIX + r.name, r);
export const deleteRole = (s: Storage, name: string) => s.delete(ROLE_PREFIX + name);

/** As Vault: a login token is renewed only while its role exists with the policies the token was given. */
export async function renewWhileRoleUnchanged(ctx: BackgroundContext, token: LoginRenewal): Promise<void> {
  const name = token.meta.role ?? '';
  const role = name === '' ? null : await getRole(ctx.storage, name);
  if (!role) throw invalidRequest(`role "${name}" does not exist any more; the token cannot be renewed`);
  const expected = expectedTokenPolicies(role.token);
  const held = [...token.policies].sort();
  if (expected.length !== held.length || expected.some((p, i) => p !== held[i])) {
    throw invalidRequest('policies have changed since this token was issued; it cannot be renewed: log in again');
  }
}

export interface RoleTable<R extends StoredRole, S extends Record<string, z.ZodType>> {
  /** The role's fields, `name` (the path parameter) included. */
  fields: S;
  /** The stored role after a write; `warnings` collects what the caller should be told. */
  apply(current: R | null, name: string, fields: z.infer<z.ZodObject<S>>, mountMaxTtl: number, warnings: string[]): R;
  /** The role as a read shows it. */
  data(role: R): Record<string, unknown>;
  description: string;
}

const nameOf = (ctx: { fields: unknown }): string => String((ctx.fields as { name: string }).name);

/** `role/` (LIST) and `role/:name` (create, read, update, delete). */
export function rolePathTable<R extends StoredRole, S extends Record<string, z.ZodType>>(table: RoleTable<R, S>): PathDefinition[] {
  type Ctx = HandlerContext<z.infer<z.ZodObject<S>> & { name: string }>;
  const write = async (ctx: Ctx): Promise<Response | null> => {
    const name = requireRoleName(ctx.fields.name);
    const warnings: string[] = [];
    const current = await getRole<R>(ctx.storage, name);
    await putRole(ctx.storage, table.apply(current, name, ctx.fields, ctx.system.maxLeaseTtl, warnings));
    return warnings.length > 0 ? { warnings } : null;
  };
  return [
    definePath({
      pattern: 'role/?',
      fields: pageFields,
      operations: { list: (ctx) => listEntries(ctx.storage, ROLE_PREFIX, ctx.fields) },
      help: { synopsis: 'List the roles of this mount.' },
    }),
    definePath({
      pattern: 'role/:name',
      fields: table.fields,
      existenceCheck: async (ctx) => {
        const name = nameOf(ctx);
        return isRoleName(name) && (await getRole(ctx.storage, name)) !== null;
      },
      operations: {
        create: write as never,
        update: write as never,
        read: async (ctx) => {
          const role = await getRole<R>(ctx.storage, requireRoleName(nameOf(ctx)));
          return role ? { data: table.data(role) } : null;
        },
        delete: async (ctx) => {
          await deleteRole(ctx.storage, requireRoleName(nameOf(ctx)));
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete a role.', description: table.description },
    }),
  ];
}
