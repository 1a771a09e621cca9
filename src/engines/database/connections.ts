/**
 * Open connection pools of one database mount, by config name. A pool is opened on first
 * use and closed when its config changes or goes away, on reset, unmount and seal, so no
 * pool outlives the settings or the unsealed state it was opened with.
 */
import { invalidRequest } from '../../errors.js';
import { KeyLock } from '../../framework/key-lock.js';
import type { Logger } from '../../logging/logger.js';
import type { Storage } from '../../logical/storage.js';
import { pluginNamed } from './plugins/index.js';
import type { ConnectionSettings, DatabaseConnection, DatabasePlugin } from './plugins/plugin.js';
import { readConfig, type DbConfig } from './storage.js';

export interface OpenDatabase {
  config: DbConfig;
  plugin: DatabasePlugin;
  conn: DatabaseConnection;
}

export function settingsOf(config: DbConfig): ConnectionSettings {
  return {
    connectionUrl: config.connection_url,
    username: config.username,
    password: config.password,
    maxOpenConnections: config.max_open_connections > 0 ? config.max_open_connections : 4,
    maxIdleConnections: config.max_idle_connections,
    maxConnectionLifetime: config.max_connection_lifetime,
    // Configs stored before the field existed send passwords as they are.
    passwordAuthentication: config.password_authentication ?? 'password',
  };
}

export function pluginOf(config: DbConfig): DatabasePlugin {
  const plugin = pluginNamed(config.plugin_name);
  if (!plugin) throw invalidRequest(`database plugin "${config.plugin_name}" is not available`);
  return plugin;
}

export class ConnectionCache {
  private readonly pools = new Map<string, DatabaseConnection>();
  private readonly lock = new KeyLock();

  /** The config named `name` and its pool, opened now if it was not. */
  async get(storage: Storage, logger: Logger, name: string): Promise<OpenDatabase> {
    const config = await readConfig(storage, name);
    if (!config) throw invalidRequest(`no database config named "${name}"`);
    const plugin = pluginOf(config);
    const conn = await this.lock.run(name, async () => {
      let pool = this.pools.get(name);
      if (!pool) {
        pool = plugin.open(settingsOf(config), logger.named(`db.${name}`));
        this.pools.set(name, pool);
      }
      return pool;
    });
    return { config, plugin, conn };
  }

  /** Puts `conn` (or nothing) in the place of the pool named `name`, closing the old one. */
  async replace(name: string, conn?: DatabaseConnection): Promise<void> {
    await this.lock.run(name, async () => {
      const old = this.pools.get(name);
      if (conn) this.pools.set(name, conn);
      else this.pools.delete(name);
      if (old && old !== conn) await old.close();
    });
  }

  /** Unmount and seal: every pool closed; synchronous callers need not wait for the sockets. */
  closeAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    return Promise.all(all.map((c) => c.close())).then(() => undefined);
  }
}
