/** `entity-alias`, `entity-alias/id/:id` and its LIST. Writes answer {id, canonical_id}, or 204 when nothing changed. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { deleteAlias, writeAlias, type AliasInput } from '../alias-ops.js';
import type { IdentityStore } from '../identity-store.js';
import { aliasView, listWithInfo } from '../views.js';
import { metadataField } from './fields.js';

const aliasFields = {
  name: z.string().optional().describe('The name the auth method knows the user by (a username, a role id, a subject)'),
  mount_accessor: z.string().optional().describe('Accessor of the auth mount the alias belongs to'),
  canonical_id: z.string().optional().describe('The entity the alias belongs to; a new entity is made when absent'),
  entity_id: z.string().optional().describe('Older name of canonical_id'),
  custom_metadata: metadataField().optional().describe('Metadata kept with the alias'),
};

type AliasFields = { name?: string; mount_accessor?: string; canonical_id?: string; entity_id?: string; custom_metadata?: Record<string, string> };

const input = (fields: AliasFields, id?: string): AliasInput => ({
  id,
  name: fields.name,
  mountAccessor: fields.mount_accessor,
  canonicalId: fields.canonical_id ?? fields.entity_id,
  customMetadata: fields.custom_metadata,
});

async function write(store: IdentityStore, data: AliasInput): Promise<Response | null> {
  const result = await writeAlias(store, data);
  return result ? { data: { id: result.id, canonical_id: result.canonicalId } } : null;
}

export function entityAliasPaths(store: IdentityStore): PathDefinition[] {
  return [
    definePath({
      pattern: 'entity-alias',
      fields: { id: z.string().optional().describe('Updates the alias with this id when given'), ...aliasFields },
      operations: { update: (ctx) => write(store, input(ctx.fields, ctx.fields.id)) },
      help: { synopsis: 'Create an entity alias (mount accessor + name), or update an existing one.' },
    }),
    definePath({
      pattern: 'entity-alias/id/?',
      operations: {
        list: () => {
          const aliases = store.allAliases().sort((a, b) => (a.id < b.id ? -1 : 1));
          const info: Record<string, Record<string, unknown>> = {};
          for (const a of aliases) {
            const mount = store.mount(a.mountAccessor);
            info[a.id] = { canonical_id: a.canonicalId, name: a.name, mount_accessor: a.mountAccessor, ...(mount ? { mount_path: mount.path, mount_type: mount.type } : {}) };
          }
          return listWithInfo(aliases.map((a) => a.id), info);
        },
      },
      help: { synopsis: 'List entity aliases by id.' },
    }),
    definePath({
      pattern: 'entity-alias/id/:id',
      fields: { id: z.string(), ...aliasFields },
      operations: {
        read: (ctx) => {
          const a = store.alias(ctx.fields.id);
          return a ? { data: aliasView(store, a) } : null;
        },
        update: (ctx) => {
          if (!store.alias(ctx.fields.id)) throw invalidRequest('invalid alias ID provided');
          return write(store, input(ctx.fields, ctx.fields.id));
        },
        delete: async (ctx) => {
          await deleteAlias(store, ctx.fields.id);
          return null;
        },
      },
      help: { synopsis: 'Read, update (rename, move to another entity) or delete an entity alias.' },
    }),
  ];
}
