/** Opens a physical backend by the `storage "<type>" { … }` name used in server config. */
import type { PhysicalBackend } from './types.js';
import { createInmemBackend } from './inmem/inmem-backend.js';
import { SqliteBackend } from './sqlite/sqlite-backend.js';
import { parsePgConfig } from './postgresql/pg-config.js';
import { PostgresBackend } from './postgresql/pg-backend.js';

export type PhysicalType = 'inmem' | 'sqlite' | 'postgresql';

/** `env`: settings a backend also takes from the environment (VAULT_PG_CONNECTION_URL). */
export async function openPhysical(
  type: PhysicalType,
  config: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PhysicalBackend> {
  switch (type) {
    case 'inmem':
      return createInmemBackend();
    case 'sqlite': {
      const path = config['path'];
      if (!path) throw new Error('storage "sqlite": the "path" setting is required (the database file)');
      return SqliteBackend.open(path);
    }
    case 'postgresql':
      return PostgresBackend.open(parsePgConfig(config, env));
    default:
      // Config comes from users' files, so the type may be anything at runtime.
      throw new Error(`storage "${String(type)}": unknown storage type (supported: inmem, sqlite, postgresql)`);
  }
}
