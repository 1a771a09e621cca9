/**
 * `entity`, `entity/id/:id`, `entity/name/:name`, their LISTs, `entity/batch-delete` and
 * `entity/merge`. A write that creates answers {id, name, aliases}; one that updates
 * answers 204, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { deleteEntities, mergeEntities, writeEntity, type EntityInput } from '../entity-ops.js';
import type { IdentityStore } from '../identity-store.js';
import type { Entity } from '../types.js';
import { entityView, listWithInfo } from '../views.js';
import { idList, metadataField, policiesField } from './fields.js';

const entityFields = {
  name: z.string().optional().describe('Name of the entity'),
  metadata: metadataField().optional().describe('Metadata: a map of strings, or key=value strings'),
  policies: policiesField(),
  disabled: f.bool().optional().describe('A disabled entity’s tokens are refused (not revoked)'),
};

type EntityFields = { name?: string; metadata?: Record<string, string>; policies?: string[]; disabled?: boolean };

const input = (fields: EntityFields, name?: string): EntityInput => ({
  name: name ?? fields.name,
  metadata: fields.metadata,
  policies: fields.policies,
  disabled: fields.disabled,
});

async function write(store: IdentityStore, target: Entity | undefined, data: EntityInput): Promise<Response | null> {
  const { entity, created } = await writeEntity(store, target, data);
  if (!created) return null;
  return { data: { id: entity.id, name: entity.name, aliases: entity.aliases.length ? entity.aliases.map((a) => a.id) : null } };
}

function list(store: IdentityStore, byName: boolean): Response | null {
  const entities = store.allEntities().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const info: Record<string, Record<string, unknown>> = {};
  for (const e of entities) {
    const entry: Record<string, unknown> = { name: e.name };
    if (e.aliases.length) {
      entry.aliases = e.aliases.map((a) => {
        const mount = store.mount(a.mountAccessor);
        return { id: a.id, name: a.name, mount_accessor: a.mountAccessor, ...(mount ? { mount_path: mount.path, mount_type: mount.type } : {}) };
      });
    }
    info[e.id] = entry;
  }
  return listWithInfo(entities.map((e) => (byName ? e.name : e.id)), info);
}

export function entityPaths(store: IdentityStore): PathDefinition[] {
  return [
    definePath({
      pattern: 'entity',
      fields: { id: z.string().optional().describe('Updates the entity with this id when given'), ...entityFields },
      operations: {
        update: (ctx) => {
          const id = ctx.fields.id?.trim();
          const target = id ? store.entity(id) : undefined;
          if (id && !target) throw invalidRequest('entity not found from id');
          return write(store, target, input(ctx.fields));
        },
      },
      help: { synopsis: 'Create an entity, or update the one named by id or name.' },
    }),
    definePath({
      pattern: 'entity/id/?',
      operations: { list: () => list(store, false) },
      help: { synopsis: 'List entities by id.' },
    }),
    definePath({
      pattern: 'entity/id/:id',
      fields: { id: z.string(), ...entityFields },
      operations: {
        read: (ctx) => {
          const e = store.entity(ctx.fields.id);
          return e ? { data: entityView(store, e) } : null;
        },
        update: (ctx) => {
          const target = store.entity(ctx.fields.id);
          if (!target) throw invalidRequest('entity not found from id');
          return write(store, target, input(ctx.fields));
        },
        delete: async (ctx) => {
          await deleteEntities(store, [ctx.fields.id]);
          return null;
        },
      },
      help: { synopsis: 'Read, update or delete an entity by id (with its aliases).' },
    }),
    definePath({
      pattern: 'entity/name/?',
      operations: { list: () => list(store, true) },
      help: { synopsis: 'List entities by name.' },
    }),
    definePath({
      pattern: 'entity/name/:name',
      fields: { ...entityFields, name: z.string() },
      operations: {
        read: (ctx) => {
          const e = store.entityNamed(ctx.fields.name);
          return e ? { data: entityView(store, e) } : null;
        },
        update: (ctx) => write(store, store.entityNamed(ctx.fields.name), input(ctx.fields, ctx.fields.name)),
        delete: async (ctx) => {
          const e = store.entityNamed(ctx.fields.name);
          if (e) await deleteEntities(store, [e.id]);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete an entity by name.' },
    }),
    definePath({
      pattern: 'entity/batch-delete',
      fields: { entity_ids: idList().optional().describe('Ids of the entities to delete') },
      operations: {
        update: async (ctx) => {
          const ids = ctx.fields.entity_ids ?? [];
          if (ids.length === 0) throw invalidRequest('missing entity ids to delete');
          await deleteEntities(store, ids);
          return null;
        },
      },
      help: { synopsis: 'Delete several entities at once.' },
    }),
    definePath({
      pattern: 'entity/merge',
      fields: {
        from_entity_ids: idList().optional().describe('Entities to merge into to_entity_id (deleted afterwards)'),
        to_entity_id: z.string().optional().describe('The entity that receives the aliases and memberships'),
        force: f.bool().optional().describe('Accepted for compatibility; there are no MFA secrets to reconcile'),
        conflicting_alias_ids_to_keep: idList().optional().describe('Not supported: a conflict is reported instead'),
      },
      operations: {
        update: async (ctx) => {
          const to = ctx.fields.to_entity_id?.trim();
          if (!to) throw invalidRequest('missing entity id to merge to');
          if ((ctx.fields.conflicting_alias_ids_to_keep ?? []).length > 0) throw invalidRequest('conflicting_alias_ids_to_keep is not supported by this server');
          await mergeEntities(store, to, ctx.fields.from_entity_ids ?? []);
          return null;
        },
      },
      help: { synopsis: 'Merge entities into one: aliases and group memberships move, the others are deleted.' },
    }),
  ];
}
