/** `group-alias`, `group-alias/id/:id` and its LIST. Writes answer {id, canonical_id}. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { deleteGroupAlias, writeGroupAlias } from '../group-ops.js';
import type { IdentityStore } from '../identity-store.js';
import type { GroupAlias } from '../types.js';
import { groupAliasView, listWithInfo } from '../views.js';

const aliasFields = {
  name: z.string().optional().describe('The group’s name in the auth method (an entry of a JWT groups claim)'),
  mount_accessor: z.string().optional().describe('Accessor of the auth mount whose logins name the group'),
  canonical_id: z.string().optional().describe('The external group the alias belongs to; a new one is made when absent'),
};

type AliasFields = { name?: string; mount_accessor?: string; canonical_id?: string };

async function write(store: IdentityStore, existing: GroupAlias | undefined, fields: AliasFields): Promise<Response> {
  const result = await writeGroupAlias(store, existing, { name: fields.name, mountAccessor: fields.mount_accessor, canonicalId: fields.canonical_id });
  return { data: { id: result.id, canonical_id: result.canonicalId } };
}

export function groupAliasPaths(store: IdentityStore): PathDefinition[] {
  const requireAlias = (id: string): GroupAlias => {
    const a = store.groupAlias(id);
    if (!a) throw invalidRequest('invalid group alias ID');
    return a;
  };
  return [
    definePath({
      pattern: 'group-alias',
      fields: { id: z.string().optional().describe('Updates the alias with this id when given'), ...aliasFields },
      operations: { update: (ctx) => write(store, ctx.fields.id?.trim() ? requireAlias(ctx.fields.id.trim()) : undefined, ctx.fields) },
      help: { synopsis: 'Create a group alias for an external group, or update one.' },
    }),
    definePath({
      pattern: 'group-alias/id/?',
      operations: {
        list: () => {
          const aliases = store.allGroupAliases().sort((a, b) => (a.id < b.id ? -1 : 1));
          const info: Record<string, Record<string, unknown>> = {};
          for (const a of aliases) {
            const mount = store.mount(a.mountAccessor);
            info[a.id] = { canonical_id: a.canonicalId, name: a.name, mount_accessor: a.mountAccessor, ...(mount ? { mount_path: mount.path, mount_type: mount.type } : {}) };
          }
          return listWithInfo(aliases.map((a) => a.id), info);
        },
      },
      help: { synopsis: 'List group aliases by id.' },
    }),
    definePath({
      pattern: 'group-alias/id/:id',
      fields: { id: z.string(), ...aliasFields },
      operations: {
        read: (ctx) => {
          const a = store.groupAlias(ctx.fields.id);
          return a ? { data: groupAliasView(store, a) } : null;
        },
        update: (ctx) => write(store, requireAlias(ctx.fields.id), ctx.fields),
        delete: async (ctx) => {
          await deleteGroupAlias(store, ctx.fields.id);
          return null;
        },
      },
      help: { synopsis: 'Read, update or delete a group alias.' },
    }),
  ];
}
