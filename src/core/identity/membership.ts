/**
 * Group membership as a graph: which groups an entity is in directly, which groups it
 * inherits (every group that lists one of its groups as a member group, transitively), and
 * the policies that follow. Policies flow down: a group's policies apply to the members of
 * its member groups, as in Vault. Plain data in memory, no storage; the store keeps it in step.
 */
import type { Entity, Group } from './types.js';

export class Membership {
  private readonly groups = new Map<string, Group>();
  /** entity id → ids of the groups listing it in member_entity_ids */
  private readonly entityGroups = new Map<string, Set<string>>();
  /** group id → ids of the groups listing it in member_group_ids */
  private readonly parents = new Map<string, Set<string>>();

  clear(): void {
    this.groups.clear();
    this.entityGroups.clear();
    this.parents.clear();
  }

  group(id: string): Group | undefined {
    return this.groups.get(id);
  }

  allGroups(): IterableIterator<Group> {
    return this.groups.values();
  }

  /** Adds or replaces a group and re-indexes its members. */
  setGroup(group: Group): void {
    this.removeGroup(group.id);
    this.groups.set(group.id, group);
    for (const e of group.memberEntityIds) addTo(this.entityGroups, e, group.id);
    for (const g of group.memberGroupIds) addTo(this.parents, g, group.id);
  }

  removeGroup(id: string): void {
    const old = this.groups.get(id);
    if (!old) return;
    this.groups.delete(id);
    for (const e of old.memberEntityIds) removeFrom(this.entityGroups, e, id);
    for (const g of old.memberGroupIds) removeFrom(this.parents, g, id);
  }

  /** Groups listing the entity as a member, sorted by id. */
  directGroupIds(entityId: string): string[] {
    return [...(this.entityGroups.get(entityId) ?? [])].filter((g) => this.groups.has(g)).sort();
  }

  /** Groups listing `groupId` as a member group, sorted by id. */
  parentGroupIds(groupId: string): string[] {
    return [...(this.parents.get(groupId) ?? [])].filter((g) => this.groups.has(g)).sort();
  }

  /** Groups the entity is in through its groups (not directly), sorted by id. */
  inheritedGroupIds(entityId: string): string[] {
    const direct = new Set(this.directGroupIds(entityId));
    const out = this.ancestors(direct);
    for (const d of direct) out.delete(d);
    return [...out].sort();
  }

  /** Every group above `start` through member_group_ids links, `start` included. */
  ancestors(start: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const queue = [...start];
    while (queue.length > 0) {
      const id = queue.pop()!;
      if (seen.has(id) || !this.groups.has(id)) continue;
      seen.add(id);
      for (const p of this.parents.get(id) ?? []) queue.push(p);
    }
    return seen;
  }

  /** Every group below `groupId` through member_group_ids, `groupId` included. */
  descendants(groupId: string): Set<string> {
    const seen = new Set<string>();
    const queue = [groupId];
    while (queue.length > 0) {
      const id = queue.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const m of this.groups.get(id)?.memberGroupIds ?? []) queue.push(m);
    }
    return seen;
  }

  /** Entities whose policies depend on `groupId`: members of it or of any group below it. */
  entitiesUnder(groupId: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.descendants(groupId)) for (const e of this.groups.get(g)?.memberEntityIds ?? []) out.add(e);
    return out;
  }

  /**
   * Why `groupId` may not take `memberGroupIds` as members: itself among them, or a member
   * that already has `groupId` below it (the link would close a cycle). Undefined when fine.
   */
  cycleError(groupId: string, memberGroupIds: readonly string[]): string | undefined {
    for (const m of memberGroupIds) {
      if (m === groupId) return `member group ID "${m}" is the group itself`;
      if (this.descendants(m).has(groupId)) return `cyclic relationship detected: member group ID "${m}" already has group "${groupId}" among its members`;
    }
    return undefined;
  }

  /** The entity's own policies and those of every group it is in, directly or inherited. */
  policiesFor(entity: Entity): string[] {
    const set = new Set(entity.policies);
    for (const g of this.ancestors(this.directGroupIds(entity.id))) for (const p of this.groups.get(g)!.policies) set.add(p);
    return [...set].sort();
  }
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}
