/**
 * The identity store: entities with their aliases, groups with their group aliases, held in
 * memory (loaded on unseal, dropped on seal) and persisted through the barrier below
 * `sys/identity/` before any change is visible. Changes run one at a time (`change`); reads
 * are plain map lookups.
 *
 * Storage layout (below the view core hands in):
 *   entity/<id>   Entity JSON, aliases included
 *   group/<id>    Group JSON, its group alias included
 *
 * For the request path it keeps, per entity, the policies it brings (its own, its groups',
 * inherited ones) and whether it is disabled: `access(entityId)` is one map lookup. Each
 * change recomputes that for the entities it can touch and no others.
 */
import type { Logger } from '../../logging/logger.js';
import { applyOps, getJson, jsonOp, type Storage, type StorageOp } from '../../logical/storage.js';
import { listAllKeys } from '../token/token-cache.js';
import type { IdentityFacts } from '../policy/path-template.js';
import { Membership } from './membership.js';
import { buildIdentityFacts } from './template-facts.js';
import type { Entity, EntityAccess, EntityAlias, Group, GroupAlias, MountRef } from './types.js';

/** One change: records to write and ids to delete. */
export interface IdentityChange {
  entities?: Entity[];
  deleteEntities?: string[];
  groups?: Group[];
  deleteGroups?: string[];
}

export interface IdentityStoreOptions {
  storage: Storage;
  /** The mount (either table) with this accessor, for alias answers and checks. */
  mountByAccessor: (accessor: string) => MountRef | undefined;
  clock?: () => number;
  logger?: Logger;
}

const fold = (name: string) => name.toLowerCase();
const factorKey = (accessor: string, name: string) => `${accessor}\n${fold(name)}`;

export class IdentityStore {
  readonly clock: () => number;
  readonly membership = new Membership();
  private readonly storage: Storage;
  private readonly mountOf: (accessor: string) => MountRef | undefined;
  private readonly logger: Logger | undefined;
  private readonly entities = new Map<string, Entity>();
  private readonly entityByName = new Map<string, string>();
  private readonly aliasById = new Map<string, EntityAlias>();
  private readonly aliasByFactors = new Map<string, EntityAlias>();
  private readonly groupByName = new Map<string, string>();
  private readonly groupAliasById = new Map<string, GroupAlias>();
  private readonly groupAliasByFactors = new Map<string, GroupAlias>();
  private readonly accessByEntity = new Map<string, EntityAccess>();
  private readonly factsByEntity = new Map<string, IdentityFacts>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: IdentityStoreOptions) {
    this.storage = opts.storage;
    this.mountOf = opts.mountByAccessor;
    this.clock = opts.clock ?? Date.now;
    this.logger = opts.logger;
  }

  /** Reads every entity and group into memory (unseal). */
  async load(): Promise<void> {
    this.clear();
    for (const id of await listAllKeys(this.storage, 'group/')) {
      const group = await getJson<Group>(this.storage, `group/${id}`);
      if (group) this.indexGroup(group);
    }
    for (const id of await listAllKeys(this.storage, 'entity/')) {
      const entity = await getJson<Entity>(this.storage, `entity/${id}`);
      if (entity) this.indexEntity(entity);
    }
    for (const id of this.entities.keys()) this.refreshAccess(id);
    this.logger?.debug('identity loaded', { entities: this.entities.size });
  }

  /** Forgets everything held in memory (seal). */
  clear(): void {
    this.entities.clear();
    this.entityByName.clear();
    this.aliasById.clear();
    this.aliasByFactors.clear();
    this.membership.clear();
    this.groupByName.clear();
    this.groupAliasById.clear();
    this.groupAliasByFactors.clear();
    this.accessByEntity.clear();
    this.factsByEntity.clear();
  }

  // ---- the request path ----

  /** The policies and state an entity brings to its tokens; undefined for an unknown (or empty) id. */
  access(entityId: string): EntityAccess | undefined {
    return this.accessByEntity.get(entityId);
  }

  /** Identity policies for an entity id ([] when it has none or does not exist). */
  policiesOf(entityId: string): string[] {
    return entityId === '' ? [] : this.accessByEntity.get(entityId)?.policies ?? [];
  }

  /**
   * The entity as ACL templates see it; the same object until the entity or a group it is
   * in changes (ACLs compiled for it are cached by that identity). Undefined for no entity.
   */
  templateFacts(entityId: string): IdentityFacts | undefined {
    let facts = this.factsByEntity.get(entityId);
    if (facts) return facts;
    const entity = this.entities.get(entityId);
    if (!entity) return undefined;
    this.factsByEntity.set(entityId, (facts = buildIdentityFacts(entity, this.membership)));
    return facts;
  }

  // ---- reads ----

  mount(accessor: string): MountRef | undefined {
    return this.mountOf(accessor);
  }

  entity(id: string): Entity | undefined {
    return this.entities.get(id);
  }

  entityNamed(name: string): Entity | undefined {
    const id = this.entityByName.get(fold(name));
    return id === undefined ? undefined : this.entities.get(id);
  }

  allEntities(): Entity[] {
    return [...this.entities.values()];
  }

  alias(id: string): EntityAlias | undefined {
    return this.aliasById.get(id);
  }

  aliasFor(accessor: string, name: string): EntityAlias | undefined {
    return this.aliasByFactors.get(factorKey(accessor, name));
  }

  allAliases(): EntityAlias[] {
    return [...this.aliasById.values()];
  }

  group(id: string): Group | undefined {
    return this.membership.group(id);
  }

  groupNamed(name: string): Group | undefined {
    const id = this.groupByName.get(fold(name));
    return id === undefined ? undefined : this.membership.group(id);
  }

  allGroups(): Group[] {
    return [...this.membership.allGroups()];
  }

  groupAlias(id: string): GroupAlias | undefined {
    return this.groupAliasById.get(id);
  }

  groupAliasFor(accessor: string, name: string): GroupAlias | undefined {
    return this.groupAliasByFactors.get(factorKey(accessor, name));
  }

  allGroupAliases(): GroupAlias[] {
    return [...this.groupAliasById.values()];
  }

  // ---- changes ----

  /**
   * Runs `fn` alone: no other change starts until it is done. `fn` checks against the
   * current state and returns what to persist (or nothing) with its answer.
   */
  change<T>(fn: () => { change?: IdentityChange; result: T } | Promise<{ change?: IdentityChange; result: T }>): Promise<T> {
    const run = this.queue.then(async () => {
      const { change, result } = await fn();
      if (change) await this.commit(change);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Persists a change in one batch, then applies it to memory and to the policies it affects. */
  private async commit(c: IdentityChange): Promise<void> {
    const ops: StorageOp[] = [];
    for (const e of c.entities ?? []) ops.push(jsonOp(`entity/${e.id}`, e));
    for (const id of c.deleteEntities ?? []) ops.push({ kind: 'delete', key: `entity/${id}` });
    for (const g of c.groups ?? []) ops.push(jsonOp(`group/${g.id}`, g));
    for (const id of c.deleteGroups ?? []) ops.push({ kind: 'delete', key: `group/${id}` });
    await applyOps(this.storage, ops);

    const affected = new Set<string>();
    const touchGroup = (id: string) => {
      for (const e of this.membership.entitiesUnder(id)) affected.add(e);
    };
    for (const g of c.groups ?? []) touchGroup(g.id);
    for (const id of c.deleteGroups ?? []) touchGroup(id);
    for (const id of c.deleteGroups ?? []) this.unindexGroup(id);
    for (const g of c.groups ?? []) this.indexGroup(g);
    for (const g of c.groups ?? []) touchGroup(g.id);
    for (const id of c.deleteEntities ?? []) {
      this.unindexEntity(id);
      affected.add(id);
    }
    for (const e of c.entities ?? []) {
      this.indexEntity(e);
      affected.add(e.id);
    }
    for (const id of affected) this.refreshAccess(id);
  }

  private refreshAccess(entityId: string): void {
    this.factsByEntity.delete(entityId);
    const entity = this.entities.get(entityId);
    if (!entity) {
      this.accessByEntity.delete(entityId);
      return;
    }
    this.accessByEntity.set(entityId, { policies: this.membership.policiesFor(entity), disabled: entity.disabled });
  }

  private indexEntity(entity: Entity): void {
    this.unindexEntity(entity.id);
    this.entities.set(entity.id, entity);
    this.entityByName.set(fold(entity.name), entity.id);
    for (const a of entity.aliases) {
      this.aliasById.set(a.id, a);
      this.aliasByFactors.set(factorKey(a.mountAccessor, a.name), a);
    }
  }

  private unindexEntity(id: string): void {
    const old = this.entities.get(id);
    if (!old) return;
    this.entities.delete(id);
    if (this.entityByName.get(fold(old.name)) === id) this.entityByName.delete(fold(old.name));
    for (const a of old.aliases) {
      if (this.aliasById.get(a.id)?.canonicalId === id) this.aliasById.delete(a.id);
      const key = factorKey(a.mountAccessor, a.name);
      if (this.aliasByFactors.get(key)?.canonicalId === id) this.aliasByFactors.delete(key);
    }
  }

  private indexGroup(group: Group): void {
    this.unindexGroup(group.id);
    this.membership.setGroup(group);
    this.groupByName.set(fold(group.name), group.id);
    if (group.alias) {
      this.groupAliasById.set(group.alias.id, group.alias);
      this.groupAliasByFactors.set(factorKey(group.alias.mountAccessor, group.alias.name), group.alias);
    }
  }

  private unindexGroup(id: string): void {
    const old = this.membership.group(id);
    if (!old) return;
    this.membership.removeGroup(id);
    if (this.groupByName.get(fold(old.name)) === id) this.groupByName.delete(fold(old.name));
    if (old.alias) {
      if (this.groupAliasById.get(old.alias.id)?.canonicalId === id) this.groupAliasById.delete(old.alias.id);
      const key = factorKey(old.alias.mountAccessor, old.alias.name);
      if (this.groupAliasByFactors.get(key)?.canonicalId === id) this.groupAliasByFactors.delete(key);
    }
  }
}
