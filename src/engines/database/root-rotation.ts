/**
 * Rotating a config's root password, crash-safely: the new password is stored as pending
 * first, then set in the database, then committed as the password (pending cleared). A
 * rotation interrupted between the database and the commit is finished when the mount
 * starts: the pending password is tried first (the database may have it), else it is set
 * again through the old one. The root password is never shown, and the old one stops
 * working once the database has the new one.
 */
import { invalidRequest } from '../../errors.js';
import type { BackgroundContext } from '../../framework/backend.js';
import { KeyLock } from '../../framework/key-lock.js';
import { pluginOf, settingsOf, type ConnectionCache } from './connections.js';
import { databaseError } from './errors.js';
import { StatementFailed } from './plugins/plugin.js';
import { messageOf, redact } from './redact.js';
import { readConfig, writeConfig, type DbConfig } from './storage.js';

export class RootRotator {
  private readonly lock = new KeyLock();

  constructor(private readonly connections: ConnectionCache) {}

  rotate(ctx: BackgroundContext, name: string): Promise<void> {
    return this.lock.run(name, async () => {
      const { config, conn } = await this.connections.get(ctx.storage, ctx.logger, name);
      if (!config.username || !config.password) throw invalidRequest(`database "${name}" has no username and password to rotate`);
      if (!/\{\{\s*password\s*\}\}/.test(config.connection_url)) {
        throw invalidRequest(`connection_url of database "${name}" must template {{password}} for the root password to be rotated`);
      }
      // A rotation left pending is finished with its own password, never replaced by another.
      const retry = config.pending_password;
      const password = retry ?? (await ctx.passwords!.generate(config.password_policy));
      if (!retry) await writeConfig(ctx.storage, name, { ...config, pending_password: password });
      try {
        await conn.setPassword({ username: config.username, password, statements: config.root_rotation_statements });
      } catch (err) {
        // A refused statement rolled back: the database kept the old password.
        if (!retry && err instanceof StatementFailed) await writeConfig(ctx.storage, name, config);
        throw databaseError(err, name, [password, config.password, config.connection_url]);
      }
      await this.commit(ctx, name, config, password);
    });
  }

  /** Mount start: every config with a pending root password is brought to one password again. */
  async settleAll(ctx: BackgroundContext): Promise<void> {
    for (const name of await ctx.storage.list('config/')) {
      const config = await readConfig(ctx.storage, name);
      if (!config?.pending_password) continue;
      try {
        await this.settle(ctx, name, config);
      } catch (err) {
        ctx.logger.warn('a pending root rotation could not be finished', {
          database: name,
          error: redact(messageOf(err), [config.password, config.pending_password, config.connection_url]),
        });
      }
    }
  }

  private async settle(ctx: BackgroundContext, name: string, config: DbConfig): Promise<void> {
    const pending = config.pending_password!;
    const probe = pluginOf(config).open(settingsOf({ ...config, password: pending }), ctx.logger.named(`db.${name}`));
    try {
      await probe.verify();
    } catch {
      await probe.close();
      // The database does not take the pending password: set it through the old one.
      return this.rotate(ctx, name);
    }
    await this.lock.run(name, async () => {
      await writeConfig(ctx.storage, name, { ...config, password: pending, pending_password: undefined });
      await this.connections.replace(name, probe);
    });
  }

  private async commit(ctx: BackgroundContext, name: string, config: DbConfig, password: string): Promise<void> {
    const next: DbConfig = { ...config, password, pending_password: undefined };
    await writeConfig(ctx.storage, name, next);
    // The old pool logged in with the old password: new connections need the new one.
    await this.connections.replace(name, pluginOf(next).open(settingsOf(next), ctx.logger.named(`db.${name}`)));
  }
}
