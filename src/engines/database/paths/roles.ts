/**
 * roles/ (LIST) and roles/:name: what a dynamic credential is (the statements that create,
 * renew and revoke its user) and how long it lives. A write on an existing role changes
 * only the fields it names, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { listEntries } from '../../../framework/listing.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { nameField, refuseUnknownFields, statementsField } from '../fields.js';
import { readStaticRole } from '../static-store.js';
import { readRole, writeRole, type DbRole } from '../storage.js';

const roleFields = {
  name: nameField.describe('Name of the role'),
  db_name: z.string().optional().describe('The database config this role creates users in'),
  default_ttl: f.duration().optional().describe("Lease TTL of its credentials; 0 = the mount's default"),
  max_ttl: f.duration().optional().describe("Longest life of its credentials, renewals included; 0 = the mount's maximum"),
  creation_statements: statementsField().optional().describe('Statements that create the user ({{name}}, {{password}}, {{expiration}})'),
  revocation_statements: statementsField().optional().describe("Statements that remove the user; empty = the plugin's default"),
  rollback_statements: statementsField().optional().describe('Statements run when a creation fails part-way'),
  renew_statements: statementsField().optional().describe("Statements that extend the user; empty = the plugin's default"),
  credential_type: z.string().optional().describe('Only "password"'),
};
type RoleFields = z.infer<z.ZodObject<typeof roleFields>>;

const EMPTY: DbRole = {
  db_name: '',
  default_ttl: 0,
  max_ttl: 0,
  creation_statements: [],
  revocation_statements: [],
  rollback_statements: [],
  renew_statements: [],
  credential_type: 'password',
};

async function write(ctx: HandlerContext<RoleFields>): Promise<Response | null> {
  refuseUnknownFields(ctx.raw, roleFields);
  const { name, ...given } = ctx.fields;
  if (await readStaticRole(ctx.storage, name)) throw invalidRequest(`"${name}" is already a static role: role and static role names must be unique`);
  const role: DbRole = { ...EMPTY, ...(await readRole(ctx.storage, name)) };
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) (role as unknown as Record<string, unknown>)[key] = value;
  }
  if (!role.db_name) throw invalidRequest('db_name is required');
  if (role.credential_type !== 'password') throw invalidRequest(`credential_type "${role.credential_type}" is not supported: only "password"`);
  if (role.creation_statements.length === 0) throw invalidRequest('creation_statements are required');
  if (role.max_ttl > 0 && role.default_ttl > role.max_ttl) throw invalidRequest(`default_ttl (${role.default_ttl}s) cannot be greater than max_ttl (${role.max_ttl}s)`);
  const mountMax = ctx.system.maxLeaseTtl;
  if (role.default_ttl > mountMax || role.max_ttl > mountMax) {
    throw invalidRequest(`default_ttl and max_ttl cannot exceed the mount's max lease TTL (${mountMax}s)`);
  }
  await writeRole(ctx.storage, name, role);
  return null;
}

export function rolesPaths(): PathDefinition[] {
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
      fields: roleFields,
      existenceCheck: async (ctx) => (await readRole(ctx.storage, ctx.fields.name)) !== null,
      operations: {
        update: write,
        read: async (ctx) => {
          const role = await readRole(ctx.storage, ctx.fields.name);
          return role ? { data: { ...role } } : null;
        },
        delete: async (ctx) => {
          await ctx.storage.delete(`role/${ctx.fields.name}`);
          return null;
        },
      },
      help: {
        synopsis: 'Create, read or delete a role.',
        description:
          'Statements are templates: {{name}} and {{username}} are quoted as identifiers, {{password}} and {{expiration}} as literals, ' +
          'whatever they contain. Several statements in one string are separated by ";".',
      },
    }),
  ];
}
