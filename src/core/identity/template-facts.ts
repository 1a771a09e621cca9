/**
 * What ACL templates may read about one entity (policy/path-template.ts), built from the
 * store's records when first asked and kept until the entity or one of its groups changes:
 * the store then drops it, and the ACLs compiled from it go with it.
 */
import type { IdentityFacts } from '../policy/path-template.js';
import type { Membership } from './membership.js';
import type { Entity, Group } from './types.js';

export function buildIdentityFacts(entity: Entity, membership: Membership): IdentityFacts {
  const groups: Group[] = [];
  for (const id of membership.ancestors(membership.directGroupIds(entity.id))) {
    const g = membership.group(id);
    if (g) groups.push(g);
  }
  const byId = new Map(groups.map((g) => [g.id, g]));
  const byName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
  const aliases = new Map<string, Entity['aliases'][number]>();
  for (const a of entity.aliases) if (!aliases.has(a.mountAccessor)) aliases.set(a.mountAccessor, a);
  return {
    entityId: entity.id,
    entityName: entity.name,
    entityMetadata: entity.metadata ?? {},
    alias: (accessor) => {
      const a = aliases.get(accessor);
      return a && { id: a.id, name: a.name, metadata: a.metadata ?? {}, customMetadata: a.customMetadata ?? {} };
    },
    groupById: (id) => byId.get(id),
    groupByName: (name) => byName.get(name.toLowerCase()),
  };
}
