/**
 * Rotating static roles' passwords: now (rotate-role, a new role), on schedule (one timer
 * per role, armed from storage when the mount starts), and again after a failure or a
 * crash (a pending password is retried with the same value until the database has it).
 * One rotation per role at a time.
 */
import { invalidRequest } from '../../errors.js';
import type { BackgroundContext } from '../../framework/backend.js';
import { KeyLock } from '../../framework/key-lock.js';
import type { ConnectionCache } from './connections.js';
import { databaseError } from './errors.js';
import { StatementFailed } from './plugins/plugin.js';
import { messageOf, redact } from './redact.js';
import { commitRotation, nextRotation, readPending, readStaticRole, writePending, type StaticRole } from './static-store.js';

/** Retry delay after a failed scheduled rotation. */
const RETRY_MS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class StaticRotator {
  private readonly lock = new KeyLock();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private ctx: BackgroundContext | undefined;
  private stopped = false;

  constructor(private readonly connections: ConnectionCache) {}

  /**
   * Sets a new password for the static role `name` and commits it; `created` is a role
   * being created (not stored yet). A pending password left by an earlier attempt is used
   * again rather than a new one: the database may already have it.
   */
  rotate(ctx: BackgroundContext, name: string, created?: StaticRole): Promise<StaticRole> {
    this.ctx ??= ctx;
    return this.lock.run(name, async () => {
      // Read again under the lock: a role deleted meanwhile must not come back by a commit.
      const role = created ?? (await readStaticRole(ctx.storage, name));
      if (!role) throw invalidRequest(`no static role named "${name}"`);
      const { config, conn } = await this.connections.get(ctx.storage, ctx.logger, role.db_name);
      const earlier = created ? null : await readPending(ctx.storage, name);
      const password = earlier?.password ?? (await ctx.passwords!.generate(config.password_policy));
      if (!earlier) await writePending(ctx.storage, name, { password, started: ctx.clock() });
      try {
        await conn.setPassword({ username: role.username, password, statements: role.rotation_statements });
      } catch (err) {
        // A role that failed to be created is not stored, so neither is its pending password. A
        // refused statement ran in a transaction that rolled back: the database kept the old
        // password, so a fresh attempt's pending entry can go. Anything else stays pending.
        if (created || (!earlier && err instanceof StatementFailed)) await ctx.storage.delete(`static-pending/${name}`);
        throw databaseError(err, role.db_name, [password, role.password, config.password, config.connection_url]);
      }
      const next: StaticRole = { ...role, password, last_rotation: ctx.clock() };
      await commitRotation(ctx.storage, name, next);
      // Vault's event for a static role's new password, with its metadata keys; the password is
      // never in it. Seen by the tokens that may read the role's credentials.
      ctx.events?.send('database/rotate', { modified: 'true', operation: 'rotate', name, path: `rotate-role/${name}` }, `static-creds/${name}`);
      this.schedule(ctx, name, next);
      return next;
    });
  }

  /** Completes a pending rotation of `name`, if one was left; returns the role as it is now. */
  async settle(ctx: BackgroundContext, name: string): Promise<StaticRole | null> {
    const role = await readStaticRole(ctx.storage, name);
    if (!role || !(await readPending(ctx.storage, name))) return role;
    return this.rotate(ctx, name);
  }

  /** Mount start: pending rotations finished, every role's timer armed. */
  async start(ctx: BackgroundContext): Promise<void> {
    this.ctx = ctx;
    this.stopped = false;
    for (const name of await ctx.storage.list('static-role/')) {
      const role = await readStaticRole(ctx.storage, name);
      if (!role) continue;
      if (await readPending(ctx.storage, name)) await this.runScheduled(name, true);
      else this.schedule(ctx, name, role);
    }
  }

  schedule(ctx: BackgroundContext, name: string, role: StaticRole, at = nextRotation(role, ctx.clock())): void {
    this.ctx ??= ctx;
    this.cancel(name);
    if (this.stopped) return;
    const delay = Math.min(Math.max(0, at - ctx.clock()), MAX_TIMER_MS);
    const timer = setTimeout(() => void this.runScheduled(name, false), delay);
    timer.unref();
    this.timers.set(name, timer);
  }

  cancel(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }

  /** Seal, unmount: no timer outlives the mount's unsealed state. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private async runScheduled(name: string, onlyPending: boolean): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || this.stopped) return;
    const role = await readStaticRole(ctx.storage, name);
    if (!role) return;
    // A pending password is finished whatever the schedule or window says: the database may have it.
    const due = onlyPending || nextRotation(role, ctx.clock()) <= ctx.clock() || (await readPending(ctx.storage, name)) !== null;
    if (!due) return this.schedule(ctx, name, role);
    try {
      await this.rotate(ctx, name);
    } catch (err) {
      ctx.logger.warn('static role rotation failed; retrying', { role: name, error: redact(messageOf(err), [role.password]) });
      this.schedule(ctx, name, role, ctx.clock() + RETRY_MS);
    }
  }
}
