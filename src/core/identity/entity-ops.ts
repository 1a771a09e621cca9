/**
 * Changes to entities: create or update (by id or name), delete (one or a batch), merge.
 * Each runs inside `store.change`, checks against the current state, and hands back the
 * records to persist. Group memberships of a deleted entity go with it.
 */
import { invalidRequest } from '../../errors.js';
import type { IdentityChange, IdentityStore } from './identity-store.js';
import type { Entity, Group } from './types.js';
import { newEntity } from './alias-ops.js';
import { checkName, normalizePolicyList } from './validate.js';

export interface EntityInput {
  name?: string;
  policies?: string[];
  metadata?: Record<string, string>;
  disabled?: boolean;
}

/**
 * Vault's entity write: `target` is the entity the path names (by id, or by name) or
 * undefined for a new one unless `input.name` names an existing entity. Answers the
 * entity and whether it was created.
 */
export function writeEntity(store: IdentityStore, target: Entity | undefined, input: EntityInput): Promise<{ entity: Entity; created: boolean }> {
  return store.change(() => {
    let current = target ? store.entity(target.id) : undefined;
    if (target && !current) throw invalidRequest('entity not found from id');
    const name = input.name !== undefined && input.name.trim() !== '' ? checkName(input.name, 'entity name') : undefined;
    if (name !== undefined) {
      const byName = store.entityNamed(name);
      if (byName && !current) current = byName;
      else if (byName && byName.id !== current!.id) throw invalidRequest('entity name is already in use');
    }
    const now = store.clock();
    const policies = input.policies !== undefined ? normalizePolicyList(input.policies) : current?.policies ?? [];
    const entity: Entity = current ? { ...current, lastUpdateTime: now } : newEntity(store, now);
    if (name !== undefined) entity.name = name;
    entity.policies = policies;
    if (input.metadata !== undefined) entity.metadata = { ...input.metadata };
    if (input.disabled !== undefined) entity.disabled = input.disabled;
    return { change: { entities: [entity] }, result: { entity, created: !current } };
  });
}

/** The groups that list any of `ids` as a member, without them. */
function groupsWithout(store: IdentityStore, ids: ReadonlySet<string>, replaceWith?: string): Group[] {
  const out: Group[] = [];
  const now = store.clock();
  for (const g of store.allGroups()) {
    if (!g.memberEntityIds.some((e) => ids.has(e))) continue;
    const members = g.memberEntityIds.filter((e) => !ids.has(e));
    if (replaceWith !== undefined && !members.includes(replaceWith)) members.push(replaceWith);
    out.push({ ...g, memberEntityIds: members, lastUpdateTime: now, modifyIndex: g.modifyIndex + 1 });
  }
  return out;
}

/** Deletes entities, their aliases and their group memberships. Unknown ids are skipped. */
export function deleteEntities(store: IdentityStore, ids: readonly string[]): Promise<void> {
  return store.change(() => {
    const gone = new Set(ids.filter((id) => store.entity(id)));
    if (gone.size === 0) return { result: undefined };
    const change: IdentityChange = { deleteEntities: [...gone], groups: groupsWithout(store, gone) };
    return { change, result: undefined };
  });
}

/**
 * Moves the aliases and group memberships of `fromIds` to `toId` and deletes the others.
 * Two aliases of one mount cannot end on one entity: that is a 400 naming them.
 */
export function mergeEntities(store: IdentityStore, toId: string, fromIds: readonly string[]): Promise<void> {
  return store.change(() => {
    const to = store.entity(toId);
    if (!to) throw invalidRequest('entity id to merge to is invalid');
    const from: Entity[] = [];
    for (const id of fromIds) {
      if (id === toId) throw invalidRequest('to_entity_id should not be present in from_entity_ids');
      const e = store.entity(id);
      if (!e) throw invalidRequest(`entity id to merge from "${id.slice(0, 64)}" is invalid`);
      if (!from.includes(e)) from.push(e);
    }
    if (from.length === 0) throw invalidRequest('missing entity ids to merge from');
    const now = store.clock();
    const aliases = [...to.aliases];
    for (const e of from) {
      for (const a of e.aliases) {
        const clash = aliases.find((x) => x.mountAccessor === a.mountAccessor);
        if (clash) throw invalidRequest(`conflicting mount accessors in following alias IDs: ${clash.id}, ${a.id}`);
        aliases.push({ ...a, canonicalId: to.id, lastUpdateTime: now });
      }
    }
    const merged: Entity = {
      ...to,
      aliases,
      mergedEntityIds: [...to.mergedEntityIds, ...from.map((e) => e.id)],
      lastUpdateTime: now,
    };
    const fromSet = new Set(from.map((e) => e.id));
    return { change: { deleteEntities: [...fromSet], entities: [merged], groups: groupsWithout(store, fromSet, to.id) }, result: undefined };
  });
}
