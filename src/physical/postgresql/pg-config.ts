/**
 * The `storage "postgresql" { … }` settings, in Vault's names, checked once at start so a
 * typo is a clear startup error rather than a failure on the first request. The connection
 * URL may carry a password: no message built here (or anywhere in this folder) includes it.
 */
export interface PgStorageConfig {
  connectionUrl: string;
  /** Where the database is, for messages: host:port/database, never credentials. */
  target: string;
  /** Quoted, possibly schema-qualified identifiers, ready to put into SQL. */
  table: string;
  haEnabled: boolean;
  haTable: string;
  /** Most connections open at once (reads and commits together). */
  maxParallel: number;
  /** Connections kept open while idle; more than this are closed when released. */
  maxIdleConnections: number;
}

/** Vault reads the connection string from this variable too; when set, it wins. */
export const CONNECTION_URL_ENV = 'VAULT_PG_CONNECTION_URL';

const DEFAULT_MAX_PARALLEL = 128;

const fail = (message: string): never => {
  throw new Error(`storage "postgresql": ${message}`);
};

/** `name` or `schema.name`, each part a plain identifier; returned double-quoted. */
export function quoteTableName(value: string, setting: string): string {
  const parts = value.split('.');
  const plain = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
  if (parts.length > 2 || !parts.every((p) => plain.test(p))) {
    fail(`"${setting}" must be a table name (letters, digits, _ and $, optionally schema.table), got ${JSON.stringify(value)}`);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

function positiveInt(value: string | undefined, setting: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim())) fail(`"${setting}" must be a whole number, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) fail(`"${setting}" must be at least 1`);
  return n;
}

function bool(value: string | undefined, setting: string): boolean {
  if (value === undefined || value === '') return false;
  if (!/^(true|false|1|0)$/i.test(value)) fail(`"${setting}" must be true or false`);
  return /^(true|1)$/i.test(value);
}

/** host:port/database of a postgres URL, for messages. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return 'the configured database';
    const host = u.hostname || decodeURIComponent(u.searchParams.get('host') ?? '') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'the configured database';
  }
}

export function parsePgConfig(settings: Record<string, string>, env: NodeJS.ProcessEnv = process.env): PgStorageConfig {
  const connectionUrl = env[CONNECTION_URL_ENV] || settings['connection_url'] || '';
  if (!connectionUrl) fail(`"connection_url" is required (or set ${CONNECTION_URL_ENV})`);
  if (!/^postgres(ql)?:\/\//.test(connectionUrl)) fail('"connection_url" must be a postgres:// or postgresql:// URL');
  const haEnabled = bool(settings['ha_enabled'], 'ha_enabled');
  const maxParallel = positiveInt(settings['max_parallel'], 'max_parallel', DEFAULT_MAX_PARALLEL);
  return {
    connectionUrl,
    target: describeTarget(connectionUrl),
    table: quoteTableName(settings['table'] || 'vault_kv_store', 'table'),
    haEnabled,
    haTable: quoteTableName(settings['ha_table'] || 'vault_ha_locks', 'ha_table'),
    maxParallel,
    maxIdleConnections: Math.min(maxParallel, positiveInt(settings['max_idle_connections'], 'max_idle_connections', maxParallel)),
  };
}
