/**
 * `lookup/entity` and `lookup/group`: one criterion (id, name, alias_id, or alias_name with
 * alias_mount_accessor). Nothing found answers 204, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { IdentityStore } from '../identity-store.js';
import { entityView, groupView } from '../views.js';

const lookupFields = {
  id: z.string().optional().describe('The id to look up'),
  name: z.string().optional().describe('The name to look up'),
  alias_id: z.string().optional().describe('The id of one of its aliases'),
  alias_name: z.string().optional().describe('An alias name; with alias_mount_accessor'),
  alias_mount_accessor: z.string().optional().describe('The mount accessor of alias_name'),
};

type Criteria = z.infer<z.ZodObject<typeof lookupFields>>;

/** Which criterion was given; a 400 unless exactly one was. */
function criterion(c: Criteria): 'id' | 'name' | 'alias_id' | 'alias' {
  const given: ('id' | 'name' | 'alias_id' | 'alias')[] = [];
  if (c.id) given.push('id');
  if (c.name) given.push('name');
  if (c.alias_id) given.push('alias_id');
  if (c.alias_name || c.alias_mount_accessor) {
    if (!c.alias_name || !c.alias_mount_accessor) throw invalidRequest('both alias_name and alias_mount_accessor must be given');
    given.push('alias');
  }
  if (given.length === 0) throw invalidRequest('one of id, name, alias_id, or alias_name with alias_mount_accessor must be given');
  if (given.length > 1) throw invalidRequest(`only one criterion may be given, got ${given.join(', ')}`);
  return given[0]!;
}

export function lookupPaths(store: IdentityStore): PathDefinition[] {
  return [
    definePath({
      pattern: 'lookup/entity',
      fields: lookupFields,
      operations: {
        update: (ctx) => {
          const c = ctx.fields;
          let entity;
          switch (criterion(c)) {
            case 'id': entity = store.entity(c.id!); break;
            case 'name': entity = store.entityNamed(c.name!); break;
            case 'alias_id': entity = store.entity(store.alias(c.alias_id!)?.canonicalId ?? ''); break;
            case 'alias': entity = store.entity(store.aliasFor(c.alias_mount_accessor!, c.alias_name!)?.canonicalId ?? ''); break;
          }
          return entity ? { data: entityView(store, entity) } : null;
        },
      },
      help: { synopsis: 'Find an entity by id, name, alias id, or alias name and mount accessor.' },
    }),
    definePath({
      pattern: 'lookup/group',
      fields: lookupFields,
      operations: {
        update: (ctx) => {
          const c = ctx.fields;
          let group;
          switch (criterion(c)) {
            case 'id': group = store.group(c.id!); break;
            case 'name': group = store.groupNamed(c.name!); break;
            case 'alias_id': group = store.group(store.groupAlias(c.alias_id!)?.canonicalId ?? ''); break;
            case 'alias': group = store.group(store.groupAliasFor(c.alias_mount_accessor!, c.alias_name!)?.canonicalId ?? ''); break;
          }
          return group ? { data: groupView(store, group) } : null;
        },
      },
      help: { synopsis: 'Find a group by id, name, alias id, or alias name and mount accessor.' },
    }),
  ];
}
