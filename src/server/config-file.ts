/**
 * Server configuration files in Vault's shape, HCL or JSON: `storage "sqlite" { path }`,
 * `listener "tcp" { address, tls_disable, tls_cert_file, tls_key_file, max_request_size }`,
 * `ui`, `api_addr`, `cluster_addr`, `default_lease_ttl`, `max_lease_ttl`, `log_level`.
 */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../framework/fields.js';
import { blocks, parseHcl } from '../hcl/index.js';
import { parseLogLevel } from '../logging/logger.js';
import { DEFAULT_MAX_REQUEST_SIZE, type ListenerConfig, type ServerConfig } from './server-config.js';

const STORAGE_TYPES = new Set(['inmem', 'sqlite', 'file']);

function bool(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value)) return /^(true|1)$/i.test(value);
  throw new Error(`config: "${name}" must be a boolean`);
}

function duration(value: unknown, name: string): number {
  if (value === undefined) return 0;
  const d = parseDuration(value);
  if (d === undefined) throw new Error(`config: "${name}" must be a duration such as "768h" or a number of seconds`);
  return d;
}

function str(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`config: "${name}" must be a string`);
}

export function parseConfigText(text: string, source = 'config'): ServerConfig {
  let tree: Record<string, unknown>;
  try {
    tree = parseHcl(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const storageBlocks = blocks(tree, 'storage').concat(blocks(tree, 'backend'));
  if (storageBlocks.length !== 1) throw new Error(`${source}: exactly one storage block is required`);
  const storage = storageBlocks[0]!;
  const storageType = storage.labels[0] ?? '';
  if (!STORAGE_TYPES.has(storageType)) throw new Error(`${source}: unknown storage type "${storageType}" (use "sqlite" or "inmem")`);
  const storageConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(storage.body)) storageConfig[k] = str(v, `storage.${k}`) ?? '';

  const listeners: ListenerConfig[] = blocks(tree, 'listener').map((l) => {
    if ((l.labels[0] ?? 'tcp') !== 'tcp') throw new Error(`${source}: only "tcp" listeners are supported`);
    const b = l.body;
    const tlsDisable = bool(b.tls_disable, 'listener.tls_disable');
    const listener: ListenerConfig = {
      address: str(b.address, 'listener.address') ?? '127.0.0.1:8200',
      tlsDisable,
      tlsCertFile: str(b.tls_cert_file, 'listener.tls_cert_file'),
      tlsKeyFile: str(b.tls_key_file, 'listener.tls_key_file'),
      maxRequestSize: b.max_request_size === undefined ? DEFAULT_MAX_REQUEST_SIZE : Number(b.max_request_size),
    };
    if (!Number.isInteger(listener.maxRequestSize) || listener.maxRequestSize <= 0) {
      throw new Error(`${source}: listener.max_request_size must be a positive number of bytes`);
    }
    if (!tlsDisable && (!listener.tlsCertFile || !listener.tlsKeyFile)) {
      throw new Error(`${source}: a listener with TLS on needs tls_cert_file and tls_key_file (or tls_disable = true)`);
    }
    return listener;
  });
  if (listeners.length === 0) throw new Error(`${source}: at least one listener block is required`);

  return {
    storage: { type: storageType === 'file' ? 'sqlite' : storageType, config: storageConfig },
    listeners,
    ui: bool(tree.ui, 'ui'),
    apiAddr: str(tree.api_addr, 'api_addr'),
    clusterAddr: str(tree.cluster_addr, 'cluster_addr'),
    defaultLeaseTtl: duration(tree.default_lease_ttl, 'default_lease_ttl'),
    maxLeaseTtl: duration(tree.max_lease_ttl, 'max_lease_ttl'),
    logLevel: parseLogLevel(str(tree.log_level, 'log_level')),
  };
}

export function loadConfigFile(paths: string[]): ServerConfig {
  if (paths.length !== 1) throw new Error('exactly one -config file is supported');
  const path = paths[0]!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseConfigText(text, path);
}
