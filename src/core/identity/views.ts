/** The identity records as Vault's API answers show them (field names, RFC 3339 times). */
import { rfc3339Nano } from '../../logical/time-format.js';
import type { IdentityStore } from './identity-store.js';
import type { Entity, EntityAlias, Group, GroupAlias } from './types.js';

function mountFields(store: IdentityStore, accessor: string): Record<string, string> {
  const mount = store.mount(accessor);
  return mount ? { mount_path: mount.path, mount_type: mount.type } : {};
}

/** What entity and group aliases show alike (an entity alias has every field a group alias has). */
function aliasCommon(store: IdentityStore, a: GroupAlias): Record<string, unknown> {
  return {
    id: a.id,
    canonical_id: a.canonicalId,
    mount_accessor: a.mountAccessor,
    ...mountFields(store, a.mountAccessor),
    name: a.name,
    merged_from_canonical_ids: null,
    namespace_id: 'root',
    creation_time: rfc3339Nano(a.creationTime),
    last_update_time: rfc3339Nano(a.lastUpdateTime),
  };
}

export function aliasView(store: IdentityStore, a: EntityAlias): Record<string, unknown> {
  return {
    ...aliasCommon(store, a),
    metadata: Object.keys(a.metadata).length ? { ...a.metadata } : null,
    custom_metadata: Object.keys(a.customMetadata).length ? { ...a.customMetadata } : null,
    local: false,
  };
}

export function entityView(store: IdentityStore, e: Entity): Record<string, unknown> {
  const direct = store.membership.directGroupIds(e.id);
  const inherited = store.membership.inheritedGroupIds(e.id);
  return {
    id: e.id,
    name: e.name,
    policies: [...e.policies],
    metadata: Object.keys(e.metadata).length ? { ...e.metadata } : null,
    disabled: e.disabled,
    aliases: e.aliases.map((a) => aliasView(store, a)),
    direct_group_ids: direct,
    inherited_group_ids: inherited,
    group_ids: [...direct, ...inherited],
    merged_entity_ids: e.mergedEntityIds.length ? [...e.mergedEntityIds] : null,
    namespace_id: 'root',
    creation_time: rfc3339Nano(e.creationTime),
    last_update_time: rfc3339Nano(e.lastUpdateTime),
  };
}

export function groupAliasView(store: IdentityStore, a: GroupAlias): Record<string, unknown> {
  return { ...aliasCommon(store, a), metadata: null };
}

export function groupView(store: IdentityStore, g: Group): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    type: g.type,
    policies: [...g.policies],
    metadata: Object.keys(g.metadata).length ? { ...g.metadata } : null,
    // Vault (1.9.9 on) shows an empty member list as null, and clients compare against that.
    member_entity_ids: g.memberEntityIds.length ? [...g.memberEntityIds] : null,
    member_group_ids: g.memberGroupIds.length ? [...g.memberGroupIds] : null,
    parent_group_ids: store.membership.parentGroupIds(g.id),
    alias: g.alias ? groupAliasView(store, g.alias) : {},
    modify_index: g.modifyIndex,
    namespace_id: 'root',
    creation_time: rfc3339Nano(g.creationTime),
    last_update_time: rfc3339Nano(g.lastUpdateTime),
  };
}

/** LIST answers: keys plus Vault's key_info. Null (404) when empty, as other lists here. */
export function listWithInfo(keys: string[], info: Record<string, Record<string, unknown>>) {
  return keys.length === 0 ? null : { data: { keys, key_info: info } };
}
