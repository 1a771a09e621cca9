/**
 * creds/:name: a new database user with a generated password, under a lease. The user is
 * created before the lease exists; if creation fails part-way the plugin has rolled it back
 * and no lease is made, and if the lease cannot be stored core revokes the user again.
 */
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { globMatch } from '../../../framework/glob.js';
import type { Response } from '../../../logical/request.js';
import type { ConnectionCache } from '../connections.js';
import { databaseError } from '../errors.js';
import { nameField } from '../fields.js';
import { readRole, type CredsLeaseData } from '../storage.js';
import { renderUsername, TemplateError } from '../username-template.js';

export const CREDS_LEASE = 'creds';

export function roleAllowed(allowed: readonly string[], role: string): boolean {
  return allowed.some((pattern) => globMatch(pattern, role));
}

export function credsPaths(connections: ConnectionCache): PathDefinition[] {
  return [
    definePath({
      pattern: 'creds/:name',
      fields: { name: nameField.describe('The role to issue a credential of') },
      operations: {
        read: async (ctx): Promise<Response> => {
          const roleName = ctx.fields.name;
          const role = await readRole(ctx.storage, roleName);
          if (!role) throw invalidRequest(`unknown role: ${roleName}`);
          const { config, plugin, conn } = await connections.get(ctx.storage, ctx.logger, role.db_name);
          if (!roleAllowed(config.allowed_roles, roleName)) throw invalidRequest(`role "${roleName}" is not allowed by database "${role.db_name}" (allowed_roles)`);

          const maxTtl = Math.min(role.max_ttl || ctx.system.maxLeaseTtl, ctx.system.maxLeaseTtl);
          const ttl = Math.min(role.default_ttl || ctx.system.defaultLeaseTtl, maxTtl);
          let username: string;
          try {
            username = renderUsername(config.username_template || plugin.defaultUsernameTemplate, {
              DisplayName: ctx.caller?.displayName ?? '',
              RoleName: roleName,
            });
          } catch (err) {
            if (err instanceof TemplateError) throw invalidRequest(`username_template of database "${role.db_name}": ${err.message}`);
            throw err;
          }
          if (username === '') throw invalidRequest(`username_template of database "${role.db_name}" produced an empty username`);
          if (Buffer.byteLength(username) > plugin.maxUsernameLength) {
            throw invalidRequest(`username_template of database "${role.db_name}" produced a username longer than ${plugin.maxUsernameLength} bytes`);
          }
          const password = await ctx.passwords!.generate(config.password_policy);
          try {
            await conn.createUser({
              username,
              password,
              expiration: new Date(ctx.clock() + ttl * 1000),
              creation: role.creation_statements,
              rollback: role.rollback_statements,
            });
          } catch (err) {
            throw databaseError(err, role.db_name, [password, config.password, config.connection_url]);
          }
          const internalData: CredsLeaseData = { username, role: roleName, db_name: role.db_name };
          return {
            data: { username, password },
            secret: { type: CREDS_LEASE, ttl, maxTtl, renewable: true, internalData: { ...internalData } },
          };
        },
      },
      help: {
        synopsis: 'Create a database user for a role and return its credentials with a lease.',
        description: 'Renewing the lease extends the user in the database (up to max_ttl); revoking or expiry drops it.',
      },
    }),
  ];
}
