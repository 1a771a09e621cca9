/**
 * The identity store's records as persisted (JSON below `sys/identity/`). Times are unix ms.
 * An entity carries its aliases, an external group its one group alias, so every change
 * to one of them is one storage write.
 */
export interface EntityAlias {
  id: string;
  /** The entity this alias belongs to. */
  canonicalId: string;
  mountAccessor: string;
  name: string;
  /** Filled by the auth method at login (claim mappings and the like). */
  metadata: Record<string, string>;
  /** Set through the API only. */
  customMetadata: Record<string, string>;
  creationTime: number;
  lastUpdateTime: number;
}

export interface Entity {
  id: string;
  name: string;
  /** Lower-cased, deduplicated, in the order given. */
  policies: string[];
  metadata: Record<string, string>;
  disabled: boolean;
  aliases: EntityAlias[];
  mergedEntityIds: string[];
  creationTime: number;
  lastUpdateTime: number;
}

export type GroupType = 'internal' | 'external';

export interface GroupAlias {
  id: string;
  /** The (external) group this alias belongs to. */
  canonicalId: string;
  mountAccessor: string;
  name: string;
  creationTime: number;
  lastUpdateTime: number;
}

export interface Group {
  id: string;
  name: string;
  type: GroupType;
  policies: string[];
  metadata: Record<string, string>;
  /** Internal groups: set through the API. External groups: kept by logins through the group alias. */
  memberEntityIds: string[];
  /** Groups that are members of this one: this group's policies flow down to their members. */
  memberGroupIds: string[];
  alias?: GroupAlias;
  creationTime: number;
  lastUpdateTime: number;
  /** Counts the changes made to the group. */
  modifyIndex: number;
}

/** What a request sees of one entity's identity policies: found with one map lookup per request. */
export interface EntityAccess {
  /** The entity's own policies plus those of its direct and inherited groups, sorted, deduplicated. */
  policies: string[];
  disabled: boolean;
}

/** An auth or secrets mount as identity answers show it. */
export interface MountRef {
  path: string;
  type: string;
}
