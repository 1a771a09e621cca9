/** When an auth mount is disabled its entity aliases and group aliases go, as in Vault; entities and groups stay. */
import type { IdentityStore } from './identity-store.js';
import type { Entity, Group } from './types.js';

export function forgetMountAliases(store: IdentityStore, accessor: string): Promise<void> {
  return store.change(() => {
    const now = store.clock();
    const entities: Entity[] = [];
    for (const e of store.allEntities()) {
      if (!e.aliases.some((a) => a.mountAccessor === accessor)) continue;
      entities.push({ ...e, aliases: e.aliases.filter((a) => a.mountAccessor !== accessor), lastUpdateTime: now });
    }
    const groups: Group[] = [];
    for (const g of store.allGroups()) {
      if (g.alias?.mountAccessor !== accessor) continue;
      groups.push({ ...g, alias: undefined, memberEntityIds: [], lastUpdateTime: now, modifyIndex: g.modifyIndex + 1 });
    }
    return { change: entities.length || groups.length ? { entities, groups } : undefined, result: undefined };
  });
}
