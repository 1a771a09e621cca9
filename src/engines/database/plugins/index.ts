/**
 * Every database plugin, by the `plugin_name` values it serves. A new plugin is a folder
 * beside postgresql/ implementing DatabasePlugin (plugin.ts) and one line here.
 */
import { mysqlLegacyPlugin, mysqlPlugin } from './mysql/index.js';
import type { DatabasePlugin } from './plugin.js';
import { postgresqlPlugin } from './postgresql/index.js';

export const DATABASE_PLUGINS: readonly DatabasePlugin[] = [postgresqlPlugin, mysqlPlugin, mysqlLegacyPlugin];

export function pluginNamed(name: string): DatabasePlugin | undefined {
  return DATABASE_PLUGINS.find((p) => p.names.includes(name));
}

export function pluginNames(): string[] {
  return DATABASE_PLUGINS.flatMap((p) => p.names);
}
