/**
 * `group`, `group/id/:id`, `group/name/:name` and their LISTs. A write that creates answers
 * {id, name}; one that updates answers 204, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { deleteGroup, writeGroup, type GroupInput } from '../group-ops.js';
import type { IdentityStore } from '../identity-store.js';
import type { Group } from '../types.js';
import { groupView, listWithInfo } from '../views.js';
import { idList, metadataField, policiesField } from './fields.js';

const groupFields = {
  name: z.string().optional().describe('Name of the group'),
  type: z.string().optional().describe('"internal" (the default) or "external"'),
  metadata: metadataField().optional().describe('Metadata: a map of strings, or key=value strings'),
  policies: policiesField(),
  member_entity_ids: idList().optional().describe('Entities in the group (internal groups only)'),
  member_group_ids: idList().optional().describe('Groups in the group: this group’s policies apply to their members (internal groups only)'),
};

type GroupFields = { name?: string; type?: string; metadata?: Record<string, string>; policies?: string[]; member_entity_ids?: string[]; member_group_ids?: string[] };

const input = (fields: GroupFields, name?: string): GroupInput => ({
  name: name ?? fields.name,
  type: fields.type,
  metadata: fields.metadata,
  policies: fields.policies,
  memberEntityIds: fields.member_entity_ids,
  memberGroupIds: fields.member_group_ids,
});

async function write(store: IdentityStore, target: Group | undefined, data: GroupInput): Promise<Response | null> {
  const { group, created } = await writeGroup(store, target, data);
  return created ? { data: { id: group.id, name: group.name } } : null;
}

function list(store: IdentityStore, byName: boolean): Response | null {
  const groups = store.allGroups().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const info: Record<string, Record<string, unknown>> = {};
  for (const g of groups) {
    const entry: Record<string, unknown> = { name: g.name, num_member_entities: g.memberEntityIds.length, num_parent_groups: store.membership.parentGroupIds(g.id).length };
    if (g.alias) entry.alias = { id: g.alias.id, name: g.alias.name, mount_accessor: g.alias.mountAccessor };
    info[g.id] = entry;
  }
  return listWithInfo(groups.map((g) => (byName ? g.name : g.id)), info);
}

export function groupPaths(store: IdentityStore): PathDefinition[] {
  const requireById = (id: string): Group => {
    const g = store.group(id);
    if (!g) throw invalidRequest('invalid group ID');
    return g;
  };
  return [
    definePath({
      pattern: 'group',
      fields: { id: z.string().optional().describe('Updates the group with this id when given'), ...groupFields },
      operations: {
        update: (ctx) => {
          const id = ctx.fields.id?.trim();
          if (id) return write(store, requireById(id), input(ctx.fields));
          const name = ctx.fields.name?.trim();
          return write(store, name ? store.groupNamed(name) : undefined, input(ctx.fields));
        },
      },
      help: { synopsis: 'Create a group, or update the one named by id or name.' },
    }),
    definePath({
      pattern: 'group/id/?',
      operations: { list: () => list(store, false) },
      help: { synopsis: 'List groups by id.' },
    }),
    definePath({
      pattern: 'group/id/:id',
      fields: { id: z.string(), ...groupFields },
      operations: {
        read: (ctx) => {
          const g = store.group(ctx.fields.id);
          return g ? { data: groupView(store, g) } : null;
        },
        update: (ctx) => write(store, requireById(ctx.fields.id), input(ctx.fields)),
        delete: async (ctx) => {
          await deleteGroup(store, ctx.fields.id);
          return null;
        },
      },
      help: { synopsis: 'Read, update or delete a group by id.' },
    }),
    definePath({
      pattern: 'group/name/?',
      operations: { list: () => list(store, true) },
      help: { synopsis: 'List groups by name.' },
    }),
    definePath({
      pattern: 'group/name/:name',
      fields: { ...groupFields, name: z.string() },
      operations: {
        read: (ctx) => {
          const g = store.groupNamed(ctx.fields.name);
          return g ? { data: groupView(store, g) } : null;
        },
        update: (ctx) => write(store, store.groupNamed(ctx.fields.name), input(ctx.fields, ctx.fields.name)),
        delete: async (ctx) => {
          const g = store.groupNamed(ctx.fields.name);
          if (g) await deleteGroup(store, g.id);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete a group by name.' },
    }),
  ];
}
