/**
 * static-roles/:name, static-creds/:name and rotate-role/:name: one existing database user
 * per role whose password Coffer owns and rotates every rotation_period, or at the times of
 * a cron rotation_schedule (UTC), retried within rotation_window when a rotation fails.
 * Creating a role rotates at once (Coffer must know the password), unless
 * skip_import_rotation says the first rotation waits for the schedule; nothing is stored if
 * that first rotation fails.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { listEntries } from '../../../framework/listing.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import type { ConnectionCache } from '../connections.js';
import { CronError, nextRun, parseCron } from '../cron.js';
import { nameField, refuseUnknownFields, statementsField } from '../fields.js';
import type { StaticRotator } from '../rotation.js';
import { deleteStaticRole, nextRotation, readStaticRole, writeStaticRole, type StaticRole } from '../static-store.js';
import { readRole } from '../storage.js';
import { roleAllowed } from './creds.js';

/** Vault's floors for rotation_period and rotation_window. */
const MIN_ROTATION_PERIOD = 5;
const MIN_ROTATION_WINDOW = 3600;

const staticFields = {
  name: nameField.describe('Name of the static role'),
  db_name: z.string().optional().describe('The database config the user lives in'),
  username: z.string().optional().describe('The existing database user this role manages'),
  rotation_period: f.duration().optional().describe(`Rotate the password this often; at least ${MIN_ROTATION_PERIOD}s. Exclusive with rotation_schedule`),
  rotation_schedule: z.string().optional().describe('Rotate at the times of this five-field cron expression (minute hour day-of-month month day-of-week), in UTC. Exclusive with rotation_period'),
  rotation_window: f.duration().optional().describe(`With rotation_schedule: how long after a scheduled time a failed rotation is retried (at least ${MIN_ROTATION_WINDOW}s); unset, until it succeeds`),
  skip_import_rotation: f.bool().optional().describe("At creation, leave the user's password as it is until the first scheduled rotation"),
  rotation_statements: statementsField().optional().describe("Statements that set the password ({{name}}, {{password}}); empty = the plugin's default"),
  credential_type: z.string().optional().describe('Only "password"'),
};
type StaticFields = z.infer<z.ZodObject<typeof staticFields>>;

/** A period or a schedule (with its window, if any), as Vault answers them. */
function timing(role: StaticRole): Record<string, unknown> {
  if (!role.rotation_schedule) return { rotation_period: role.rotation_period };
  return { rotation_schedule: role.rotation_schedule, ...(role.rotation_window ? { rotation_window: role.rotation_window } : {}) };
}

/** Absent until the first rotation (a role created with skip_import_rotation). */
function lastRotation(role: StaticRole): Record<string, unknown> {
  return role.last_rotation ? { last_vault_rotation: new Date(role.last_rotation).toISOString() } : {};
}

function view(role: StaticRole): Record<string, unknown> {
  return {
    db_name: role.db_name,
    username: role.username,
    ...timing(role),
    rotation_statements: role.rotation_statements,
    credential_type: role.credential_type,
    ...lastRotation(role),
  };
}

/** The role's timing after a write: what was given, else what it had. Throws a 400 for any inconsistency. */
function resolveTiming(given: Omit<StaticFields, 'name'>, existing: StaticRole | null, now: number): Pick<StaticRole, 'rotation_period' | 'rotation_schedule' | 'rotation_window'> {
  const period = given.rotation_period || undefined;
  const schedule = given.rotation_schedule?.trim() || undefined;
  if (period !== undefined && schedule !== undefined) throw invalidRequest('rotation_period and rotation_schedule are mutually exclusive: give one');
  let timing = { rotation_period: existing?.rotation_period ?? 0, rotation_schedule: existing?.rotation_schedule ?? '', rotation_window: existing?.rotation_window ?? 0 };
  if (period !== undefined) timing = { rotation_period: period, rotation_schedule: '', rotation_window: 0 };
  if (schedule !== undefined) timing = { rotation_period: 0, rotation_schedule: schedule, rotation_window: timing.rotation_schedule ? timing.rotation_window : 0 };
  if (given.rotation_window !== undefined) timing.rotation_window = given.rotation_window;

  if (!timing.rotation_period && !timing.rotation_schedule) throw invalidRequest('one of rotation_period or rotation_schedule is required');
  if (timing.rotation_schedule) {
    try {
      if (nextRun(parseCron(timing.rotation_schedule), now) === undefined) throw invalidRequest(`rotation_schedule "${timing.rotation_schedule}" never comes`);
    } catch (err) {
      if (err instanceof CronError) throw invalidRequest(`rotation_schedule: ${err.message}`);
      throw err;
    }
  } else if (timing.rotation_period < MIN_ROTATION_PERIOD) {
    throw invalidRequest(`rotation_period must be at least ${MIN_ROTATION_PERIOD}s`);
  }
  if (timing.rotation_window) {
    if (!timing.rotation_schedule) throw invalidRequest('rotation_window is only for a role with a rotation_schedule');
    if (timing.rotation_window < MIN_ROTATION_WINDOW) throw invalidRequest(`rotation_window must be at least ${MIN_ROTATION_WINDOW}s (1h)`);
  }
  return timing;
}

export function staticRolePaths(connections: ConnectionCache, rotator: StaticRotator): PathDefinition[] {
  async function write(ctx: HandlerContext<StaticFields>): Promise<Response | null> {
    refuseUnknownFields(ctx.raw, staticFields);
    const { name, ...given } = ctx.fields;
    if (await readRole(ctx.storage, name)) throw invalidRequest(`"${name}" is already a role: role and static role names must be unique`);
    const existing = await readStaticRole(ctx.storage, name);
    if (existing && given.username !== undefined && given.username !== existing.username) throw invalidRequest('cannot change the username of a static role');
    if (existing && given.db_name !== undefined && given.db_name !== existing.db_name) throw invalidRequest('cannot change the db_name of a static role');
    // skip_import_rotation only matters when the role is created (Vault ignores it on update).
    const skip = !existing && given.skip_import_rotation === true;
    const role: StaticRole = {
      db_name: given.db_name ?? existing?.db_name ?? '',
      username: given.username ?? existing?.username ?? '',
      ...resolveTiming(given, existing, ctx.clock()),
      rotation_statements: given.rotation_statements ?? existing?.rotation_statements ?? [],
      credential_type: 'password',
      password: existing?.password ?? '',
      last_rotation: existing?.last_rotation ?? 0,
      ...(skip ? { imported: ctx.clock() } : existing?.imported ? { imported: existing.imported } : {}),
    };
    if ((given.credential_type ?? 'password') !== 'password') throw invalidRequest(`credential_type "${given.credential_type}" is not supported: only "password"`);
    if (!role.db_name) throw invalidRequest('db_name is required');
    if (!role.username) throw invalidRequest('username is required');
    const { config } = await connections.get(ctx.storage, ctx.logger, role.db_name);
    if (!roleAllowed(config.allowed_roles, name)) throw invalidRequest(`static role "${name}" is not allowed by database "${role.db_name}" (allowed_roles)`);
    if (existing || skip) {
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
        list: (ctx) => listEntries(ctx.storage, 'static-role/', {}),
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
          const now = ctx.clock();
          return {
            data: {
              username: role.username,
              // Empty until the first rotation of a role created with skip_import_rotation: Coffer does not know it.
              password: role.password,
              ...lastRotation(role),
              ...timing(role),
              ttl: Math.max(0, Math.floor((nextRotation(role, now) - now) / 1000)),
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
      help: { synopsis: "Rotate a static role's password now; its next rotation is one rotation_period later, or at the schedule's next time." },
    }),
  ];
}
