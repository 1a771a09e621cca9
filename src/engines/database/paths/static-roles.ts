/**
 * static-roles/:name, static-creds/:name and rotate-role/:name: one existing database user
 * per role whose password Coffer owns and rotates every rotation_period. Creating a role
 * rotates at once (Coffer must know the password); nothing is stored if that fails.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import type { ConnectionCache } from '../connections.js';
import { nameField, refuseUnknownFields, statementsField } from '../fields.js';
import type { StaticRotator } from '../rotation.js';
import { deleteStaticRole, nextRotation, readStaticRole, writeStaticRole, type StaticRole } from '../static-store.js';
import { readRole } from '../storage.js';
import { roleAllowed } from './creds.js';

/** Vault's floor for rotation_period. */
const MIN_ROTATION_PERIOD = 5;

const staticFields = {
  name: nameField.describe('Name of the static role'),
  db_name: z.string().optional().describe('The database config the user lives in'),
  username: z.string().optional().describe('The existing database user this role manages'),
  rotation_period: f.duration().optional().describe(`Rotate the password this often; at least ${MIN_ROTATION_PERIOD}s`),
  rotation_statements: statementsField().optional().describe("Statements that set the password ({{name}}, {{password}}); empty = the plugin's default"),
  credential_type: z.string().optional().describe('Only "password"'),
};
type StaticFields = z.infer<z.ZodObject<typeof staticFields>>;

function view(role: StaticRole): Record<string, unknown> {
  return {
    db_name: role.db_name,
    username: role.username,
    rotation_period: role.rotation_period,
    rotation_statements: role.rotation_statements,
    credential_type: role.credential_type,
    last_vault_rotation: new Date(role.last_rotation).toISOString(),
  };
}

export function staticRolePaths(connections: ConnectionCache, rotator: StaticRotator): PathDefinition[] {
  async function write(ctx: HandlerContext<StaticFields>): Promise<Response | null> {
    refuseUnknownFields(ctx.raw, staticFields);
    const { name, ...given } = ctx.fields;
    if (await readRole(ctx.storage, name)) throw invalidRequest(`"${name}" is already a role: role and static role names must be unique`);
    const existing = await readStaticRole(ctx.storage, name);
    if (existing && given.username !== undefined && given.username !== existing.username) throw invalidRequest('cannot change the username of a static role');
    if (existing && given.db_name !== undefined && given.db_name !== existing.db_name) throw invalidRequest('cannot change the db_name of a static role');
    const role: StaticRole = {
      db_name: given.db_name ?? existing?.db_name ?? '',
      username: given.username ?? existing?.username ?? '',
      rotation_period: given.rotation_period ?? existing?.rotation_period ?? 0,
      rotation_statements: given.rotation_statements ?? existing?.rotation_statements ?? [],
      credential_type: 'password',
      password: existing?.password ?? '',
      last_rotation: existing?.last_rotation ?? 0,
    };
    if ((given.credential_type ?? 'password') !== 'password') throw invalidRequest(`credential_type "${given.credential_type}" is not supported: only "password"`);
    if (!role.db_name) throw invalidRequest('db_name is required');
    if (!role.username) throw invalidRequest('username is required');
    if (role.rotation_period < MIN_ROTATION_PERIOD) throw invalidRequest(`rotation_period must be at least ${MIN_ROTATION_PERIOD}s`);
    const { config } = await connections.get(ctx.storage, ctx.logger, role.db_name);
    if (!roleAllowed(config.allowed_roles, name)) throw invalidRequest(`static role "${name}" is not allowed by database "${role.db_name}" (allowed_roles)`);
    if (existing) {
      await writeStaticRole(ctx.storage, name, role);
      rotator.schedule(ctx, name, role);
    } else {
      await rotator.rotate(ctx, name, role);
    }
    return null;
  }

  return [
    definePath({
      pattern: 'static-roles/?',
      operations: {
        list: async (ctx) => {
          const keys = await ctx.storage.list('static-role/');
          return keys.length ? { data: { keys } } : null;
        },
      },
      help: { synopsis: 'List the static roles.' },
    }),
    definePath({
      pattern: 'static-roles/:name',
      fields: staticFields,
      existenceCheck: async (ctx) => (await readStaticRole(ctx.storage, ctx.fields.name)) !== null,
      operations: {
        update: write,
        read: async (ctx) => {
          const role = await readStaticRole(ctx.storage, ctx.fields.name);
          return role ? { data: view(role) } : null;
        },
        delete: async (ctx) => {
          rotator.cancel(ctx.fields.name);
          await deleteStaticRole(ctx.storage, ctx.fields.name);
          return null;
        },
      },
      help: {
        synopsis: 'Create, read or delete a static role.',
        description: 'The user is not dropped when its static role is deleted: it was created outside Coffer.',
      },
    }),
    definePath({
      pattern: 'static-creds/:name',
      fields: { name: nameField },
      operations: {
        read: async (ctx) => {
          // A rotation left pending (a crash, an outage) is finished first: the database may already have that password.
          const role = await rotator.settle(ctx, ctx.fields.name);
          if (!role) return null;
          return {
            data: {
              username: role.username,
              password: role.password,
              last_vault_rotation: new Date(role.last_rotation).toISOString(),
              rotation_period: role.rotation_period,
              ttl: Math.max(0, Math.floor((nextRotation(role) - ctx.clock()) / 1000)),
            },
          };
        },
      },
      help: { synopsis: "The current username and password of a static role's user." },
    }),
    definePath({
      pattern: 'rotate-role/:name',
      fields: { name: nameField },
      operations: {
        update: async (ctx) => {
          if (!(await readStaticRole(ctx.storage, ctx.fields.name))) throw invalidRequest(`no static role named "${ctx.fields.name}"`);
          await rotator.rotate(ctx, ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: "Rotate a static role's password now; its next rotation is one rotation_period later." },
    }),
  ];
}
