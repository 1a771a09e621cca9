/**
 * What a login does to identity: the alias (mount accessor + name) the method answered finds
 * its entity, or a new entity is made for it; the group aliases the method answered (a JWT's
 * groups claim) set the entity's membership in the external groups of that mount, on every
 * login. A login that changes nothing writes nothing.
 */
import { permissionDenied } from '../../errors.js';
import { newEntity } from './alias-ops.js';
import type { IdentityStore } from './identity-store.js';
import type { Entity, EntityAlias, Group } from './types.js';
import { newId, sameStringMap } from './validate.js';

export interface LoginAlias {
  mountAccessor: string;
  name: string;
  metadata?: Record<string, string>;
  /** Absent: the method says nothing about groups, memberships stay. Empty: in none of this mount's external groups. */
  groupAliases?: { name: string }[];
}

/** The entity id for a login; 403 when that entity is disabled. */
export async function entityForLogin(store: IdentityStore, login: LoginAlias): Promise<string> {
  const alias = store.aliasFor(login.mountAccessor, login.name);
  const entity = alias ? store.entity(alias.canonicalId) : undefined;
  if (entity && !needsChange(store, entity, alias!, login)) return checkEnabled(entity).id;
  const id = await store.change(() => {
    const now = store.clock();
    const found = store.aliasFor(login.mountAccessor, login.name);
    const owner = found ? store.entity(found.canonicalId) : undefined;
    let current: Entity;
    if (owner && found) {
      current = owner;
      if (!sameStringMap(found.metadata, login.metadata ?? {})) {
        const updated: EntityAlias = { ...found, metadata: { ...(login.metadata ?? {}) }, lastUpdateTime: now };
        current = { ...owner, aliases: owner.aliases.map((a) => (a.id === found.id ? updated : a)) };
      }
    } else {
      const fresh = newEntity(store, now);
      const created: EntityAlias = {
        id: newId(),
        canonicalId: fresh.id,
        mountAccessor: login.mountAccessor,
        name: login.name,
        metadata: { ...(login.metadata ?? {}) },
        customMetadata: {},
        creationTime: now,
        lastUpdateTime: now,
      };
      current = { ...fresh, aliases: [created] };
    }
    checkEnabled(current);
    const groups = externalGroupChanges(store, current.id, login);
    const entities = current === owner ? [] : [current];
    return { change: { entities, groups }, result: current.id };
  });
  return id;
}

function checkEnabled(entity: Entity): Entity {
  if (entity.disabled) throw permissionDenied('entity is disabled');
  return entity;
}

function needsChange(store: IdentityStore, entity: Entity, alias: EntityAlias, login: LoginAlias): boolean {
  if (!sameStringMap(alias.metadata, login.metadata ?? {})) return true;
  return externalGroupChanges(store, entity.id, login).length > 0;
}

/** The external groups of the login's mount whose membership of `entityId` must change. */
function externalGroupChanges(store: IdentityStore, entityId: string, login: LoginAlias): Group[] {
  if (login.groupAliases === undefined) return [];
  const wanted = new Set<string>();
  for (const g of login.groupAliases) {
    const ga = store.groupAliasFor(login.mountAccessor, g.name);
    if (ga) wanted.add(ga.canonicalId);
  }
  const out: Group[] = [];
  const now = store.clock();
  for (const group of store.allGroups()) {
    if (group.type !== 'external' || group.alias?.mountAccessor !== login.mountAccessor) continue;
    const isMember = group.memberEntityIds.includes(entityId);
    if (wanted.has(group.id) === isMember) continue;
    const members = isMember ? group.memberEntityIds.filter((e) => e !== entityId) : [...group.memberEntityIds, entityId];
    out.push({ ...group, memberEntityIds: members, lastUpdateTime: now, modifyIndex: group.modifyIndex + 1 });
  }
  return out;
}
