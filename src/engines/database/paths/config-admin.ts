/**
 * reset/:name closes a connection's pool so the next use opens it afresh; rotate-root/:name
 * gives the root user a new generated password, set in the database first, then stored:
 * nobody ever sees it, and the old one stops working at once.
 */
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { KeyLock } from '../../../framework/key-lock.js';
import { settingsOf, type ConnectionCache } from '../connections.js';
import { databaseError } from '../errors.js';
import { nameField } from '../fields.js';
import { readConfig, writeConfig } from '../storage.js';

export function configAdminPaths(connections: ConnectionCache): PathDefinition[] {
  const rotations = new KeyLock();
  return [
    definePath({
      pattern: 'reset/:name',
      fields: { name: nameField },
      operations: {
        update: async (ctx) => {
          if (!(await readConfig(ctx.storage, ctx.fields.name))) throw invalidRequest(`no database config named "${ctx.fields.name}"`);
          await connections.replace(ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: 'Close the connection pool of a database; the next request opens a new one.' },
    }),
    definePath({
      pattern: 'rotate-root/:name',
      fields: { name: nameField },
      operations: {
        update: async (ctx) => {
          const name = ctx.fields.name;
          return rotations.run(name, async () => {
            const { config, plugin, conn } = await connections.get(ctx.storage, ctx.logger, name);
            if (!config.username || !config.password) throw invalidRequest(`database "${name}" has no username and password to rotate`);
            if (!/\{\{\s*password\s*\}\}/.test(config.connection_url)) {
              throw invalidRequest(`connection_url of database "${name}" must template {{password}} for the root password to be rotated`);
            }
            const password = await ctx.passwords!.generate(config.password_policy);
            try {
              await conn.setPassword({ username: config.username, password, statements: config.root_rotation_statements });
            } catch (err) {
              throw databaseError(err, name, [password, config.password, config.connection_url]);
            }
            const next = { ...config, password };
            await writeConfig(ctx.storage, name, next);
            // The old pool logged in with the old password: new connections need the new one.
            await connections.replace(name, plugin.open(settingsOf(next), ctx.logger.named(`db.${name}`)));
            return null;
          });
        },
      },
      help: {
        synopsis: "Rotate the root user's password to a generated one that is only stored, never shown.",
        description: 'Uses root_rotation_statements, or the plugin default (ALTER ROLE ... WITH PASSWORD for PostgreSQL).',
      },
    }),
  ];
}
