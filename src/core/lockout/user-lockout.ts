/**
 * User lockout (Vault's `user_lockout`): failed logins are counted per (auth mount accessor,
 * alias); after `threshold` failures within `counter_reset` of each other the alias is locked
 * for `duration`. Counters live in memory only (a restart forgets a few failures, as Vault
 * does); locks are persisted under `sys/locked-users/<accessor>/<hex(alias)>` so a restart does
 * not free a locked user, and `sys/locked-users` lists and unlocks them.
 *
 * Failures are tracked for any alias, whether or not such a user exists: the lock itself then
 * reveals nothing about which usernames are real. Both maps are bounded, so a spray of random
 * usernames costs the attacker hashing time and this server a fixed amount of memory.
 */
import type { LoginLockout } from '../../framework/backend.js';
import type { Logger } from '../../logging/logger.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { LockoutSettings } from './lockout-settings.js';

interface Failures {
  count: number;
  /** unix ms of the latest failure */
  last: number;
}

interface Lock {
  accessor: string;
  alias: string;
  /** unix ms */
  lockedAt: number;
}

/** Most failure counters kept; past it the oldest are forgotten. */
const MAX_COUNTERS = 100_000;
/** Most locks kept; past it the oldest lock is lifted early. */
const MAX_LOCKS = 100_000;

const keyOf = (accessor: string, alias: string) => `${accessor}\u0000${alias}`;
const storageKey = (accessor: string, alias: string) => `${accessor}/${Buffer.from(alias, 'utf8').toString('hex')}`;

export interface LockedUsersByMount {
  mount_accessor: string;
  counts: number;
  alias_identifiers: string[];
}

export class UserLockoutRegistry {
  private readonly failures = new Map<string, Failures>();
  private readonly locks = new Map<string, Lock>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: () => number,
    /** The current settings of the mount with this accessor; undefined once it is gone. */
    private readonly settingsFor: (accessor: string) => LockoutSettings | undefined,
    private readonly logger?: Logger,
  ) {}

  /** Reads the persisted locks (on unseal). */
  async load(): Promise<void> {
    this.locks.clear();
    this.failures.clear();
    for (const folder of await this.storage.list('')) {
      if (!folder.endsWith('/')) continue;
      for (const name of await this.storage.list(folder)) {
        const lock = await getJson<Lock>(this.storage, folder + name);
        if (lock && typeof lock.alias === 'string') this.locks.set(keyOf(lock.accessor, lock.alias), lock);
      }
    }
  }

  /** Forgets everything held in memory (seal). */
  clear(): void {
    this.locks.clear();
    this.failures.clear();
  }

  /** The lockout one mount's logins see, with the mount's settings as of now. */
  forMount(accessor: string, settings: LockoutSettings): LoginLockout {
    return {
      isLocked: (alias) => this.isLocked(accessor, alias, settings),
      recordFailure: (alias) => this.recordFailure(accessor, alias, settings),
      recordSuccess: (alias) => {
        this.failures.delete(keyOf(accessor, alias));
      },
    };
  }

  isLocked(accessor: string, alias: string, settings: LockoutSettings): boolean {
    if (settings.disabled) return false;
    const key = keyOf(accessor, alias);
    const lock = this.locks.get(key);
    if (!lock) return false;
    if (this.clock() - lock.lockedAt < settings.durationMs) return true;
    this.lift(key, lock);
    return false;
  }

  async recordFailure(accessor: string, alias: string, settings: LockoutSettings): Promise<void> {
    if (settings.disabled || this.isLocked(accessor, alias, settings)) return;
    const key = keyOf(accessor, alias);
    const now = this.clock();
    const previous = this.failures.get(key);
    const count = previous && now - previous.last < settings.counterResetMs ? previous.count + 1 : 1;
    // Delete then set: the map's insertion order is then least-recently-failed first.
    this.failures.delete(key);
    if (count < settings.threshold) {
      this.failures.set(key, { count, last: now });
      if (this.failures.size > MAX_COUNTERS) this.failures.delete(this.failures.keys().next().value!);
      return;
    }
    const lock: Lock = { accessor, alias, lockedAt: now };
    this.locks.set(key, lock);
    if (this.locks.size > MAX_LOCKS) {
      const [oldestKey, oldest] = this.locks.entries().next().value!;
      this.lift(oldestKey, oldest);
    }
    await putJson(this.storage, storageKey(accessor, alias), lock);
  }

  /** Active locks, by mount; `accessor` narrows to one mount. Expired locks are lifted on the way. */
  list(accessor?: string): LockedUsersByMount[] {
    const now = this.clock();
    const byMount = new Map<string, string[]>();
    for (const [key, lock] of [...this.locks]) {
      if (accessor !== undefined && lock.accessor !== accessor) continue;
      const settings = this.settingsFor(lock.accessor);
      if (!settings || settings.disabled || now - lock.lockedAt >= settings.durationMs) {
        this.lift(key, lock);
        continue;
      }
      const list = byMount.get(lock.accessor) ?? [];
      list.push(lock.alias);
      byMount.set(lock.accessor, list);
    }
    return [...byMount]
      .map(([mount_accessor, aliases]) => ({ mount_accessor, counts: aliases.length, alias_identifiers: aliases.sort() }))
      .sort((a, b) => b.counts - a.counts || (a.mount_accessor < b.mount_accessor ? -1 : 1));
  }

  /** Frees the alias at once; succeeds when it was not locked. */
  async unlock(accessor: string, alias: string): Promise<void> {
    const key = keyOf(accessor, alias);
    this.failures.delete(key);
    this.locks.delete(key);
    await this.storage.delete(storageKey(accessor, alias));
  }

  /** A disabled mount's locks and counters go with it. */
  async forgetMount(accessor: string): Promise<void> {
    for (const [key, lock] of [...this.locks]) if (lock.accessor === accessor) this.locks.delete(key);
    const prefix = `${accessor}\u0000`;
    for (const key of [...this.failures.keys()]) if (key.startsWith(prefix)) this.failures.delete(key);
    for (const name of await this.storage.list(`${accessor}/`)) await this.storage.delete(`${accessor}/${name}`);
  }

  private lift(key: string, lock: Lock): void {
    if (this.locks.get(key) === lock) this.locks.delete(key);
    this.storage.delete(storageKey(lock.accessor, lock.alias)).catch((err: unknown) => {
      this.logger?.warn('could not delete an expired user lock', { mount_accessor: lock.accessor, error: String(err) });
    });
  }
}
