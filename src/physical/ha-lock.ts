/**
 * The lock that elects the active node of a high-availability cluster, held in the shared
 * storage itself (Coffer builds no consensus of its own: DESIGN.md "Scale"). Times are the
 * storage server's clock, so nodes whose clocks disagree still agree on who holds it.
 */

/** What one node says about itself: where clients and other nodes reach it. */
export interface HaNodeInfo {
  hostname: string;
  apiAddr: string;
  clusterAddr: string;
}

export interface HaHolder {
  identity: string;
  info: HaNodeInfo;
  /** unix ms, by the storage's clock */
  validUntil: number;
}

export interface HaPeer extends HaHolder {
  /** unix ms of its last heartbeat */
  lastEcho: number;
}

export interface HaLock {
  /** This node's identity: a fresh one per process, so a restarted node never inherits a lock. */
  readonly identity: string;
  /** How long a taken or renewed lock stays valid without renewal. */
  readonly ttlMs: number;
  /**
   * Takes the lock when it is free or expired, or renews it when this node holds it.
   * True when this node holds it afterwards. Rejects when the storage cannot be reached.
   */
  acquire(): Promise<boolean>;
  /** Gives the lock up now (step-down, seal, shutdown), if this node holds it. */
  release(): Promise<void>;
  /** Who holds the lock right now; null when nobody does. */
  holder(): Promise<HaHolder | null>;
  /** Records that this node is alive (sys/ha-status lists nodes by their heartbeats). */
  heartbeat(): Promise<void>;
  /** Nodes that sent a heartbeat recently. */
  peers(): Promise<HaPeer[]>;
  /** Drops the rows of nodes not heard from in a long while (the active node does it now and then). */
  prune(): Promise<void>;
  /** Stops using the storage for the lock; the lock itself is not released. */
  close(): Promise<void>;
}

/** A storage backend that can hold an HA lock (`ha_enabled = "true"`). */
export interface HaCapable {
  /**
   * The lock for this node. From then on every write of this backend is fenced with it: it
   * commits only if this node holds the lock at commit time, else it fails without effect.
   * `onFenced` is told when a write was refused that way.
   */
  haLock(info: HaNodeInfo, onFenced: () => void): HaLock;
}

export function isHaCapable(backend: object): backend is HaCapable {
  return typeof (backend as Partial<HaCapable>).haLock === 'function' && (backend as { haEnabled?: boolean }).haEnabled === true;
}
