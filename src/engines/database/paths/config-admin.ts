/**
 * reset/:name closes a connection's pool so the next use opens it afresh; rotate-root/:name
 * gives the root user a new generated password nobody ever sees (root-rotation.ts).
 */
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { ConnectionCache } from '../connections.js';
import { nameField } from '../fields.js';
import type { RootRotator } from '../root-rotation.js';
import { readConfig } from '../storage.js';

export function configAdminPaths(connections: ConnectionCache, rootRotator: RootRotator): PathDefinition[] {
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
          await rootRotator.rotate(ctx, ctx.fields.name);
          return null;
        },
      },
      help: {
        synopsis: "Rotate the root user's password to a generated one that is only stored, never shown.",
        description: 'Uses root_rotation_statements, or the plugin default (ALTER ROLE ... WITH PASSWORD for PostgreSQL).',
      },
    }),
  ];
}
