/**
 * Changes to entity aliases, Vault's rules: an alias is unique per (mount accessor, name),
 * an entity has at most one alias per mount, and an alias without a `canonical_id` gets a
 * new entity of its own. Writing an alias that exists (by id, or by accessor and name)
 * updates it, which may move it to another entity.
 */
import { invalidRequest } from '../../errors.js';
import type { IdentityStore } from './identity-store.js';
import type { Entity, EntityAlias } from './types.js';
import { checkName, generatedName, newId, requireMount, sameStringMap } from './validate.js';

export interface AliasInput {
  id?: string;
  name?: string;
  mountAccessor?: string;
  canonicalId?: string;
  customMetadata?: Record<string, string>;
}

/** The answer Vault gives to a write that changed something: the alias id and its entity. Null: nothing changed. */
export type AliasWriteResult = { id: string; canonicalId: string } | null;

export function writeAlias(store: IdentityStore, input: AliasInput): Promise<AliasWriteResult> {
  return store.change(() => {
    const canonicalId = input.canonicalId?.trim() || undefined;
    if (input.id !== undefined && input.id.trim() !== '') {
      const alias = store.alias(input.id.trim());
      if (!alias) throw invalidRequest('invalid alias ID provided');
      return updateAlias(store, alias, { ...input, canonicalId });
    }
    if (!input.mountAccessor?.trim() || !input.name?.trim()) throw invalidRequest("'id' or 'mount_accessor' and 'name' must be provided");
    const mount = requireMount(store, input.mountAccessor);
    const name = checkName(input.name, 'alias name', true);
    const existing = store.aliasFor(mount.accessor, name);
    if (existing) return updateAlias(store, existing, { ...input, canonicalId });

    let entity: Entity | undefined;
    const now = store.clock();
    if (canonicalId !== undefined) {
      entity = store.entity(canonicalId);
      if (!entity) throw invalidRequest('invalid canonical ID');
      if (entity.aliases.some((a) => a.mountAccessor === mount.accessor)) throw invalidRequest('Alias already exists for requested entity and mount accessor');
    }
    const base: Entity = entity ?? newEntity(store, now);
    const alias: EntityAlias = {
      id: newId(),
      canonicalId: base.id,
      mountAccessor: mount.accessor,
      name,
      metadata: {},
      customMetadata: { ...(input.customMetadata ?? {}) },
      creationTime: now,
      lastUpdateTime: now,
    };
    const updated: Entity = { ...base, aliases: [...base.aliases, alias], lastUpdateTime: now };
    return { change: { entities: [updated] }, result: { id: alias.id, canonicalId: updated.id } };
  });
}

export function newEntity(store: IdentityStore, now: number): Entity {
  let name = generatedName('entity');
  while (store.entityNamed(name)) name = generatedName('entity');
  return { id: newId(), name, policies: [], metadata: {}, disabled: false, aliases: [], mergedEntityIds: [], creationTime: now, lastUpdateTime: now };
}

function updateAlias(store: IdentityStore, alias: EntityAlias, input: AliasInput) {
  const mount = input.mountAccessor?.trim() ? requireMount(store, input.mountAccessor) : undefined;
  const accessor = mount?.accessor ?? alias.mountAccessor;
  const name = input.name?.trim() ? checkName(input.name, 'alias name', true) : alias.name;
  const targetId = input.canonicalId ?? alias.canonicalId;
  const customMetadata = input.customMetadata ?? alias.customMetadata;
  const unchanged = accessor === alias.mountAccessor && name === alias.name && targetId === alias.canonicalId && sameStringMap(customMetadata, alias.customMetadata);
  if (unchanged) return { result: null };

  const clash = store.aliasFor(accessor, name);
  if (clash && clash.id !== alias.id) throw invalidRequest('alias with combination of mount accessor and name already exists');
  const owner = store.entity(alias.canonicalId);
  if (!owner) throw invalidRequest('given alias is not associated with an entity');
  const target = targetId === owner.id ? owner : store.entity(targetId);
  if (!target) throw invalidRequest("given 'canonical_id' is not associated with an entity");
  if (target.aliases.some((a) => a.id !== alias.id && a.mountAccessor === accessor)) {
    throw invalidRequest('Alias cannot be updated as the entity already has an alias for the given mount accessor');
  }
  const now = store.clock();
  const moved: EntityAlias = { ...alias, mountAccessor: accessor, name, canonicalId: target.id, customMetadata: { ...customMetadata }, lastUpdateTime: now };
  const entities: Entity[] = [];
  if (target === owner) {
    entities.push({ ...owner, aliases: owner.aliases.map((a) => (a.id === alias.id ? moved : a)), lastUpdateTime: now });
  } else {
    entities.push({ ...owner, aliases: owner.aliases.filter((a) => a.id !== alias.id), lastUpdateTime: now });
    entities.push({ ...target, aliases: [...target.aliases, moved], lastUpdateTime: now });
  }
  return { change: { entities }, result: { id: moved.id, canonicalId: target.id } };
}

/** Deletes an alias; its entity stays. Unknown ids are skipped. */
export function deleteAlias(store: IdentityStore, id: string): Promise<void> {
  return store.change(() => {
    const alias = store.alias(id);
    const owner = alias ? store.entity(alias.canonicalId) : undefined;
    if (!alias || !owner) return { result: undefined };
    const updated: Entity = { ...owner, aliases: owner.aliases.filter((a) => a.id !== id), lastUpdateTime: store.clock() };
    return { change: { entities: [updated] }, result: undefined };
  });
}
