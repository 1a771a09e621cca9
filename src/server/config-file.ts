/**
 * Server configuration files in Vault's shape, HCL or JSON: `storage "sqlite" { path }`,
 * `storage "postgresql" { connection_url, table, ha_enabled, ha_table, max_parallel,
 * max_idle_connections }` (checked in src/physical/postgresql/pg-config.ts),
 * `listener "tcp" { address, tls_disable, tls_cert_file, tls_key_file, max_request_size,
 * disable_unauthed_rekey_endpoints, disable_unauthed_generate_root_endpoints }`,
 * `seal "transit" { address, token, key_name, mount_path, namespace, tls_* }` (seal-config.ts), `ui`,
 * `api_addr`, `cluster_addr`, `default_lease_ttl`, `max_lease_ttl`, `log_level`, and the audit
 * settings (audit-config.ts): `audit "<type>" "<path>" { ... }`, `unsafe_allow_api_audit_creation`,
 * `allow_audit_log_prefixing`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration } from '../framework/fields.js';
import { blocks, parseHcl } from '../hcl/index.js';
import { parseLogLevel } from '../logging/logger.js';
import { parseAuditConfig } from './audit-config.js';
import { parseSealConfig, type Env } from './seal-config.js';
import { DEFAULT_MAX_REQUEST_SIZE, type ListenerConfig, type ServerConfig } from './server-config.js';

const STORAGE_TYPES = new Set(['inmem', 'sqlite', 'file', 'postgresql']);

/** Readers for one file: every message names the file it is about. */
function readers(source: string) {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  return {
    fail,
    bool(value: unknown, name: string, fallback = false): boolean {
      if (value === undefined) return fallback;
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value)) return /^(true|1)$/i.test(value);
      return fail(`"${name}" must be a boolean`);
    },
    duration(value: unknown, name: string): number {
      if (value === undefined) return 0;
      const d = parseDuration(value);
      return d === undefined ? fail(`"${name}" must be a duration such as "768h" or a number of seconds`) : d;
    },
    str(value: unknown, name: string): string | undefined {
      if (value === undefined) return undefined;
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return fail(`"${name}" must be a string`);
    },
    bytes(value: unknown, name: string, fallback: number): number {
      if (value === undefined) return fallback;
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
      return Number.isInteger(n) && n > 0 ? n : fail(`"${name}" must be a positive number of bytes`);
    },
    /** Wraps an error thrown by a shared parser so it names this file too. */
    named<T>(run: () => T): T {
      try {
        return run();
      } catch (err) {
        return fail(err instanceof Error ? err.message : String(err));
      }
    },
  };
}

/** `env`: where a transit seal's settings missing from the file come from (seal-config.ts). */
export function parseConfigText(text: string, source = 'config', env: Env = process.env): ServerConfig {
  const { fail, bool, duration, str, bytes, named } = readers(source);
  const tree = named(() => parseHcl(text) as Record<string, unknown>);
  const storageBlocks = named(() => blocks(tree, 'storage').concat(blocks(tree, 'backend')));
  if (storageBlocks.length !== 1) fail('exactly one storage block is required');
  const storage = storageBlocks[0]!;
  const storageType = storage.labels[0] ?? '';
  if (!STORAGE_TYPES.has(storageType)) fail(`unknown storage type "${storageType}" (use "sqlite", "postgresql" or "inmem")`);
  const storageConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(storage.body)) storageConfig[k] = str(v, `storage.${k}`) ?? '';

  const listeners: ListenerConfig[] = named(() => blocks(tree, 'listener')).map((l) => {
    if ((l.labels[0] ?? 'tcp') !== 'tcp') fail('only "tcp" listeners are supported');
    const b = l.body;
    const tlsDisable = bool(b.tls_disable, 'listener.tls_disable');
    const listener: ListenerConfig = {
      address: str(b.address, 'listener.address') ?? '127.0.0.1:8200',
      tlsDisable,
      tlsCertFile: str(b.tls_cert_file, 'listener.tls_cert_file'),
      tlsKeyFile: str(b.tls_key_file, 'listener.tls_key_file'),
      maxRequestSize: bytes(b.max_request_size, 'listener.max_request_size', DEFAULT_MAX_REQUEST_SIZE),
      // On unless the file turns them off: the unauthenticated endpoints are the exception.
      disableUnauthedRekeyEndpoints: bool(b.disable_unauthed_rekey_endpoints, 'listener.disable_unauthed_rekey_endpoints', true),
      disableUnauthedGenerateRootEndpoints: bool(
        b.disable_unauthed_generate_root_endpoints,
        'listener.disable_unauthed_generate_root_endpoints',
        true,
      ),
    };
    if (!tlsDisable && (!listener.tlsCertFile || !listener.tlsKeyFile)) {
      fail('a listener with TLS on needs tls_cert_file and tls_key_file (or tls_disable = true)');
    }
    // Client certificates (cert auth): set only when the file says so.
    const clientCa = str(b.tls_client_ca_file, 'listener.tls_client_ca_file');
    if (clientCa) listener.tlsClientCaFile = clientCa;
    if (bool(b.tls_require_and_verify_client_cert, 'listener.tls_require_and_verify_client_cert')) listener.tlsRequireAndVerifyClientCert = true;
    if (bool(b.tls_disable_client_certs, 'listener.tls_disable_client_certs')) listener.tlsDisableClientCerts = true;
    if (listener.tlsRequireAndVerifyClientCert && listener.tlsDisableClientCerts) {
      fail('tls_require_and_verify_client_cert and tls_disable_client_certs cannot both be set');
    }
    return listener;
  });
  if (listeners.length === 0) fail('at least one listener block is required');

  const seal = parseSealConfig(named(() => blocks(tree, 'seal')), env, { fail, str, bool });
  const audit = parseAuditConfig(tree, named(() => blocks(tree, 'audit', 2)), { fail, bool });

  return {
    storage: { type: storageType === 'file' ? 'sqlite' : storageType, config: storageConfig },
    listeners,
    ui: bool(tree.ui, 'ui'),
    apiAddr: str(tree.api_addr, 'api_addr'),
    clusterAddr: str(tree.cluster_addr, 'cluster_addr'),
    defaultLeaseTtl: duration(tree.default_lease_ttl, 'default_lease_ttl'),
    maxLeaseTtl: duration(tree.max_lease_ttl, 'max_lease_ttl'),
    logLevel: named(() => parseLogLevel(str(tree.log_level, 'log_level'))),
    ...(seal ? { seal } : {}),
    ...audit,
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
  return { ...parseConfigText(text, path), configFile: resolve(path) };
}
