/**
 * roles/:name: what issue/:role and sign/:role may put in a certificate. Fields and defaults
 * are Vault's (role-schema.ts), so a role written by a Vault client means the same here; a
 * write replaces the whole role (unset fields back to their defaults), a PATCH changes only
 * the fields it names, as Vault's do.
 */
import { z } from 'zod';
import { invalidRequest, notFound } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { listEntries } from '../../../framework/listing.js';
import { getJson, putJson } from '../../../logical/storage.js';
import type { Ctx } from './common.js';
import { checkRole, roleFields, type Role } from './role-schema.js';

export { EXT_KEY_USAGE_OIDS, KEY_USAGE_BITS, roleFields, type Role } from './role-schema.js';

const fields = { name: z.string().describe('The role name'), ...roleFields };
const roleSchema = z.object(roleFields);
/** Every field at its default: a role stored before a field existed reads with its default. */
const DEFAULTS: Role = roleSchema.parse({});

const NAME = /^[A-Za-z0-9_.@-]{1,128}$/;
const roleKey = (name: string) => {
  if (!NAME.test(name)) throw invalidRequest(`invalid role name "${name}": use letters, digits, '-', '_', '.' or '@'`);
  return `role/${name}`;
};

export async function getRole(ctx: Ctx<unknown>, name: string): Promise<Role | null> {
  const stored = await getJson<Partial<Role>>(ctx.storage, roleKey(name));
  return stored ? { ...DEFAULTS, ...stored } : null;
}

/** The role or a 400 naming it, as Vault answers issue and sign for an unknown role. */
export async function roleOrFail(ctx: Ctx<unknown>, name: string): Promise<Role> {
  const role = await getRole(ctx, name);
  if (!role) throw invalidRequest(`unknown role: ${name}`);
  return role;
}

type RoleCtx = Ctx<z.infer<z.ZodObject<typeof fields>>>;

async function writeRole(ctx: RoleCtx) {
  const { name, ...role } = ctx.fields;
  const checked = checkRole(role);
  await putJson(ctx.storage, roleKey(name), checked);
  return { data: checked };
}

/** Vault's PATCH: the stored role with only the fields the request names changed, checked as a whole. */
async function patchRole(ctx: RoleCtx) {
  const name = ctx.fields.name;
  const current = await getRole(ctx, name);
  if (!current) throw notFound(`no role named "${name}" to patch`);
  const given = Object.fromEntries(Object.keys(roleFields).filter((k) => ctx.raw[k] !== undefined).map((k) => [k, ctx.fields[k as keyof Role]]));
  // key_bits and signature_bits were filled in for the old key type: a new type without a size takes its default.
  if (given.key_type !== undefined && given.key_bits === undefined) given.key_bits = 0;
  if (given.key_type !== undefined && given.signature_bits === undefined) given.signature_bits = 0;
  const checked = checkRole({ ...current, ...given } as Role);
  await putJson(ctx.storage, roleKey(name), checked);
  return { data: checked };
}

export function rolePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'roles/?',
      operations: {
        list: (ctx) => listEntries(ctx.storage, 'role/', {}),
      },
      help: { synopsis: 'List the roles.' },
    }),
    definePath({
      pattern: 'roles/:name',
      fields,
      existenceCheck: async (ctx) => (await getRole(ctx, ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          const role = await getRole(ctx, ctx.fields.name);
          return role ? { data: role } : null;
        },
        create: writeRole,
        update: writeRole,
        patch: patchRole,
        delete: async (ctx) => {
          await ctx.storage.delete(roleKey(ctx.fields.name));
          return null;
        },
      },
      help: { synopsis: 'Create, read, replace, patch or delete a role: the names, key types, usages and lifetimes it allows.' },
    }),
  ];
}
