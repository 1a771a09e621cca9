/**
 * One node's part in an HA cluster: compete for the lock while unsealed, become active when
 * holding it, and stop acting as active the moment it may no longer hold it.
 *
 * "May no longer hold it" is decided locally too, not only by the database: a renewal that
 * fails, or the monotonic clock passing the last successful renewal's start plus the TTL
 * less a margin, demotes the node even if it cannot reach anyone to ask (a partition, or a
 * SIGSTOP: on SIGCONT the first request it reads finds the lease stale). Writes are fenced
 * in the storage as well, so this check is about answers, not about data.
 *
 * After losing the lock or stepping down a node waits a cool-off before competing again,
 * so that another node gets the lock instead of the same one taking it straight back.
 */
import { performance } from 'node:perf_hooks';
import type { HaHolder, HaLock, HaPeer } from '../../physical/ha-lock.js';
import type { Logger } from '../../logging/logger.js';

export type HaMode = 'standby' | 'activating' | 'active';

/** What the manager asks of the core. */
export interface HaHooks {
  /** Load everything above the barrier (keyring first) and start serving. */
  becomeActive(): Promise<void>;
  /** Drop what was loaded above the barrier; in-flight requests fail. Safe to call twice. */
  becomeStandby(): void;
}

export interface HaTiming {
  /** How often the holder renews and a standby tries to take over. */
  renewMs: number;
  /** Stop acting as active this long before the lock could have expired. */
  marginMs: number;
  /** After losing the lock or stepping down, how long before competing again. */
  coolOffMs: number;
}

const DEFAULT_TIMING: HaTiming = { renewMs: 1_000, marginMs: 1_500, coolOffMs: 3_000 };

/** How often the active node drops heartbeat rows of nodes long gone. */
const PRUNE_EVERY_MS = 60_000;

export class HaManager {
  private modeNow: HaMode = 'standby';
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  /** performance.now() when the last successful acquire or renewal was sent. */
  private renewedAt = -Infinity;
  private coolOffUntil = 0;
  private mustRelease = false;
  private activeSinceMs = 0;
  private lastHolder: HaHolder | null = null;
  /** performance.now() of the active node's last prune of old heartbeat rows. */
  private prunedAt = -Infinity;
  /** Bumped on every demotion: a request that began under an older epoch fails. */
  epoch = 0;

  constructor(
    readonly lock: HaLock,
    private readonly hooks: HaHooks,
    private readonly logger: Logger,
    private readonly timing: HaTiming = DEFAULT_TIMING,
  ) {}

  get mode(): HaMode {
    return this.modeNow;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** unix ms since when this node is active; 0 when it is not. */
  get activeSince(): number {
    return this.modeNow === 'active' ? this.activeSinceMs : 0;
  }

  /**
   * True while this node may answer as the active node. Checked per request: a lease gone
   * stale (the process was paused, or renewals hang) demotes the node right here.
   */
  serving(): boolean {
    return this.check() === 'active';
  }

  /**
   * 'active' or 'standby'; 'lost' when this very call found the lease stale and demoted the
   * node. The request that finds it so arrived while the node still thought itself active
   * (it was paused, say): it is refused rather than forwarded, like the requests in flight.
   */
  check(): 'active' | 'standby' | 'lost' {
    if (this.modeNow !== 'active') return 'standby';
    if (performance.now() - this.renewedAt < this.lock.ttlMs - this.timing.marginMs) return 'active';
    this.lose('its lock lease went stale before it could be renewed');
    return 'lost';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Seal or shutdown: stop competing; give the lock up when held. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    const held = this.modeNow !== 'standby';
    if (held) this.demote();
    if (held || this.mustRelease) await this.lock.release().catch(() => undefined);
    this.mustRelease = false;
  }

  /** Closes the lock's connections for good (server shutdown). */
  async close(): Promise<void> {
    await this.stop();
    await this.lock.close();
  }

  /** sys/step-down: give the lock up now and let another node take it. */
  async stepDown(): Promise<void> {
    if (this.modeNow === 'standby') return;
    this.logger.info('stepping down as active node');
    this.lose('it was asked to step down');
    await this.ticking;
    await this.releaseIfLost();
  }

  /** The active node as last seen (refreshed on each tick, and on demand). */
  async holder(fresh: boolean): Promise<HaHolder | null> {
    if (fresh) {
      try {
        this.lastHolder = await this.lock.holder();
      } catch {
        // the database is unreachable: the last answer is the best one there is
      }
    }
    return this.lastHolder;
  }

  peers(): Promise<HaPeer[]> {
    return this.lock.peers();
  }

  /** A fenced write was refused: the database says another node holds the lock. */
  fenced(): void {
    if (this.modeNow !== 'standby') this.lose('a write was refused: another node holds the lock');
  }

  private lose(reason: string): void {
    if (this.modeNow === 'standby') return;
    this.logger.warn(`no longer the active node: ${reason}`);
    this.demote();
    this.mustRelease = true;
    this.coolOffUntil = performance.now() + this.timing.coolOffMs;
  }

  private demote(): void {
    this.modeNow = 'standby';
    this.activeSinceMs = 0;
    this.epoch++;
    this.hooks.becomeStandby();
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule(this.timing.renewMs));
    }, delay);
    this.timer.unref();
  }

  private async releaseIfLost(): Promise<void> {
    if (!this.mustRelease || this.modeNow !== 'standby') return;
    try {
      await this.lock.release();
      this.mustRelease = false;
    } catch {
      // unreachable: the lock expires by itself
    }
  }

  private async tick(): Promise<void> {
    try {
      await this.releaseIfLost();
      const sentAt = performance.now();
      if (this.modeNow !== 'standby') {
        let held = false;
        try {
          held = await this.lock.acquire();
        } catch (err) {
          this.logger.warn(`cannot renew the HA lock: ${err instanceof Error ? err.message : String(err)}`);
          this.check(); // demotes once the lease is stale
          return;
        }
        if ((this.modeNow as HaMode) === 'standby') return; // demoted while the renewal was out
        if (!held) {
          this.lose('another node holds the lock');
          return;
        }
        this.renewedAt = sentAt;
        // The active node's row in sys/ha-status, kept fresh like the standbys' rows.
        await this.lock.heartbeat().catch(() => undefined);
        if (sentAt - this.prunedAt >= PRUNE_EVERY_MS) {
          this.prunedAt = sentAt;
          await this.lock.prune().catch(() => undefined);
        }
        return;
      }
      await this.lock.heartbeat().catch(() => undefined);
      if (sentAt < this.coolOffUntil) {
        await this.holder(true);
        return;
      }
      if (!(await this.lock.acquire())) {
        await this.holder(true);
        return;
      }
      this.renewedAt = sentAt;
      this.modeNow = 'activating';
      void this.activate();
    } catch (err) {
      this.logger.warn(`HA lock check failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Runs beside the ticks, which keep renewing the lock while everything loads. */
  private async activate(): Promise<void> {
    const epoch = this.epoch;
    this.logger.info('acquired the HA lock: loading state to become the active node');
    try {
      await this.hooks.becomeActive();
    } catch (err) {
      if (this.epoch !== epoch) return;
      this.logger.error(`could not become active: ${err instanceof Error ? err.message : String(err)}`);
      this.lose('loading its state failed');
      return;
    }
    // Lost the lock while loading: what was loaded (timers included) goes again.
    if (this.epoch !== epoch || this.modeNow !== 'activating') {
      this.hooks.becomeStandby();
      return;
    }
    this.modeNow = 'active';
    this.activeSinceMs = Date.now();
    this.lastHolder = { identity: this.lock.identity, info: { hostname: '', apiAddr: '', clusterAddr: '' }, validUntil: 0 };
    await this.holder(true);
    this.logger.info('this node is now the active node');
  }
}
