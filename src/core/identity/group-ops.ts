/**
 * Changes to groups and group aliases, Vault's rules: internal groups list their member
 * entities and member groups; external groups get their members from logins through their
 * one group alias (mount accessor + name, unique). A member group that would close a cycle
 * is a 400. Deleting a group takes it out of the groups that listed it.
 */
import { invalidRequest } from '../../errors.js';
import type { IdentityStore } from './identity-store.js';
import type { Group, GroupAlias, GroupType } from './types.js';
import { checkName, existingIds, generatedName, newId, normalizePolicyList, requireMount } from './validate.js';

export interface GroupInput {
  name?: string;
  type?: string;
  policies?: string[];
  metadata?: Record<string, string>;
  memberEntityIds?: string[];
  memberGroupIds?: string[];
}

/** `target`: the group the path names, or undefined to create one. Answers the group and whether it was created. */
export function writeGroup(store: IdentityStore, target: Group | undefined, input: GroupInput): Promise<{ group: Group; created: boolean }> {
  return store.change(() => {
    const current = target ? store.group(target.id) : undefined;
    if (target && !current) throw invalidRequest('invalid group ID');
    const now = store.clock();
    const group: Group = current
      ? { ...current, lastUpdateTime: now, modifyIndex: current.modifyIndex + 1 }
      : { id: newId(), name: '', type: 'internal', policies: [], metadata: {}, memberEntityIds: [], memberGroupIds: [], creationTime: now, lastUpdateTime: now, modifyIndex: 1 };
    if (input.policies !== undefined) group.policies = normalizePolicyList(input.policies);
    const type = input.type?.trim().toLowerCase();
    if (type) {
      if (type !== 'internal' && type !== 'external') throw invalidRequest(`invalid group type "${input.type!.slice(0, 32)}": expected "internal" or "external"`);
      if (current && type !== current.type) throw invalidRequest('group type cannot be changed');
      group.type = type as GroupType;
    }
    if (input.name !== undefined && input.name.trim() !== '') {
      const name = checkName(input.name, 'group name');
      const byName = store.groupNamed(name);
      if (byName && byName.id !== group.id) throw invalidRequest('group name is already in use');
      group.name = name;
    }
    if (group.name === '') {
      let name = generatedName('group');
      while (store.groupNamed(name)) name = generatedName('group');
      group.name = name;
    }
    if (input.metadata !== undefined) group.metadata = { ...input.metadata };
    if (input.memberEntityIds !== undefined) {
      if (group.type === 'external') throw invalidRequest("member entities can't be set manually for external groups");
      group.memberEntityIds = existingIds(input.memberEntityIds, (id) => !!store.entity(id), 'member entity ID');
    }
    if (input.memberGroupIds !== undefined) {
      if (group.type === 'external') throw invalidRequest("member groups can't be set for external groups");
      const ids = input.memberGroupIds.map((id) => id.trim()).filter((id) => id !== '');
      const cycle = store.membership.cycleError(group.id, ids);
      if (cycle) throw invalidRequest(cycle);
      group.memberGroupIds = existingIds(ids, (id) => !!store.group(id), 'member group ID');
    }
    return { change: { groups: [group] }, result: { group, created: !current } };
  });
}

/** Deletes a group (and its alias), and takes it out of the groups that list it. Unknown ids are skipped. */
export function deleteGroup(store: IdentityStore, id: string): Promise<void> {
  return store.change(() => {
    if (!store.group(id)) return { result: undefined };
    const now = store.clock();
    const parents = store.membership.parentGroupIds(id).map((pid) => {
      const p = store.group(pid)!;
      return { ...p, memberGroupIds: p.memberGroupIds.filter((m) => m !== id), lastUpdateTime: now, modifyIndex: p.modifyIndex + 1 };
    });
    return { change: { deleteGroups: [id], groups: parents }, result: undefined };
  });
}

export interface GroupAliasInput {
  id?: string;
  name?: string;
  mountAccessor?: string;
  canonicalId?: string;
}

/**
 * Creates or updates a group alias. Without `canonical_id` a new external group is made
 * for it, as in Vault. Answers the alias id and its group.
 */
export function writeGroupAlias(store: IdentityStore, existing: GroupAlias | undefined, input: GroupAliasInput): Promise<{ id: string; canonicalId: string }> {
  return store.change(() => {
    const current = existing ? store.groupAlias(existing.id) : undefined;
    if (existing && !current) throw invalidRequest('invalid group alias ID');
    const name = input.name?.trim() ? checkName(input.name, 'alias name', true) : current?.name;
    if (!name) throw invalidRequest('missing alias name');
    const accessor = input.mountAccessor?.trim() ? requireMount(store, input.mountAccessor).accessor : current?.mountAccessor;
    if (!accessor) throw invalidRequest('missing mount_accessor');
    const clash = store.groupAliasFor(accessor, name);
    if (clash && clash.id !== current?.id) throw invalidRequest('combination of mount and group alias name is already in use');

    const now = store.clock();
    const groups: Group[] = [];
    let target: Group;
    const canonicalId = input.canonicalId?.trim();
    if (canonicalId) {
      const g = store.group(canonicalId);
      if (!g) throw invalidRequest("invalid group ID given in 'canonical_id'");
      if (g.type !== 'external') throw invalidRequest("alias can't be set on an internal group");
      if (g.alias && g.alias.id !== current?.id) throw invalidRequest('the group already has an alias: delete or update that one');
      target = g;
    } else if (current) {
      target = store.group(current.canonicalId)!;
    } else {
      let gname = generatedName('group');
      while (store.groupNamed(gname)) gname = generatedName('group');
      target = { id: newId(), name: gname, type: 'external', policies: [], metadata: {}, memberEntityIds: [], memberGroupIds: [], creationTime: now, lastUpdateTime: now, modifyIndex: 0 };
    }
    const alias: GroupAlias = current
      ? { ...current, name, mountAccessor: accessor, canonicalId: target.id, lastUpdateTime: now }
      : { id: newId(), name, mountAccessor: accessor, canonicalId: target.id, creationTime: now, lastUpdateTime: now };
    if (current && current.canonicalId !== target.id) {
      // Moved to another group: the old one loses its alias and the members it brought.
      const old = store.group(current.canonicalId);
      if (old) groups.push({ ...old, alias: undefined, memberEntityIds: [], lastUpdateTime: now, modifyIndex: old.modifyIndex + 1 });
    }
    const sameSource = current && current.canonicalId === target.id && current.mountAccessor === accessor && current.name.toLowerCase() === name.toLowerCase();
    // Members came from logins through the old alias; a different alias starts empty, the next logins fill it.
    groups.push({ ...target, alias, memberEntityIds: sameSource ? target.memberEntityIds : [], lastUpdateTime: now, modifyIndex: target.modifyIndex + 1 });
    return { change: { groups }, result: { id: alias.id, canonicalId: target.id } };
  });
}

/** Removes a group alias; its group stays, without the members logins gave it. Unknown ids are skipped. */
export function deleteGroupAlias(store: IdentityStore, id: string): Promise<void> {
  return store.change(() => {
    const alias = store.groupAlias(id);
    const group = alias ? store.group(alias.canonicalId) : undefined;
    if (!alias || !group) return { result: undefined };
    const updated: Group = { ...group, alias: undefined, memberEntityIds: [], lastUpdateTime: store.clock(), modifyIndex: group.modifyIndex + 1 };
    return { change: { groups: [updated] }, result: undefined };
  });
}
