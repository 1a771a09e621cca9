/**
 * Where the server is and who we are: global flags first, then `COFFER_*`, then the Vault
 * names (`VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_CACERT`…), then the token file. The default
 * address is http://127.0.0.1:8200 (Vault's CLI defaults to https; `coffer server -dev`
 * listens on plain HTTP).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClientOptions } from '../api/client.js';
import { isDuration } from './flags.js';
import { readStoredToken } from './token-file.js';

export const DEFAULT_ADDRESS = 'http://127.0.0.1:8200';

export class ConfigError extends Error {}

export interface GlobalFlags {
  address?: string;
  'ca-cert'?: string;
  'ca-path'?: string;
  'tls-skip-verify'?: boolean;
  'tls-server-name'?: string;
  'client-cert'?: string;
  'client-key'?: string;
  namespace?: string;
  header?: string[];
  'wrap-ttl'?: string;
}

/** `COFFER_<name>`, else `VAULT_<name>`; empty counts as unset. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  for (const key of [`COFFER_${name}`, `VAULT_${name}`]) {
    const v = env[key];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

const TRUE = /^(1|t|true)$/i;

function readCa(file: string | undefined, dir: string | undefined): Buffer[] | undefined {
  const certs: Buffer[] = [];
  try {
    if (file) certs.push(readFileSync(file));
    else if (dir) {
      for (const name of readdirSync(dir).sort()) if (/\.(pem|crt)$/i.test(name)) certs.push(readFileSync(join(dir, name)));
    }
  } catch (err) {
    throw new ConfigError(`Error loading CA certificates: ${err instanceof Error ? err.message : String(err)}`);
  }
  return certs.length ? certs : undefined;
}

/** -client-cert and -client-key go together: each file read, or a message naming what is missing. */
function readClientCert(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('-client-cert and -client-key (VAULT_CLIENT_CERT, VAULT_CLIENT_KEY) must be given together');
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (err) {
    throw new ConfigError(`Error loading the client certificate: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function headersOf(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new ConfigError(`invalid -header "${h}": expected name=value`);
    out[h.slice(0, eq)] = h.slice(eq + 1);
  }
  return out;
}

/** -wrap-ttl, else COFFER_WRAP_TTL / VAULT_WRAP_TTL (checked here: the flag's own check does not see them). */
function wrapTtlOf(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag) return flag;
  const value = envValue(env, 'WRAP_TTL');
  if (value !== undefined && !isDuration(value)) throw new ConfigError(`invalid wrap TTL "${value}" in the environment: expected a duration such as 30s or 5m`);
  return value;
}

/** The token commands use: COFFER_TOKEN, VAULT_TOKEN, ~/.coffer-token, ~/.vault-token. */
export function resolveToken(env: NodeJS.ProcessEnv): string | undefined {
  return envValue(env, 'TOKEN') ?? readStoredToken(env);
}

export function resolveClientOptions(env: NodeJS.ProcessEnv, flags: GlobalFlags): ApiClientOptions {
  const address = flags.address || envValue(env, 'ADDR') || DEFAULT_ADDRESS;
  if (!/^https?:\/\//i.test(address)) throw new ConfigError(`invalid address "${address}": expected http://host:port or https://host:port`);
  const ca = readCa(flags['ca-cert'] || envValue(env, 'CACERT'), flags['ca-path'] || envValue(env, 'CAPATH'));
  const skipVerify = flags['tls-skip-verify'] === true || TRUE.test(envValue(env, 'SKIP_VERIFY') ?? '');
  const serverName = flags['tls-server-name'] || envValue(env, 'TLS_SERVER_NAME');
  const opts: ApiClientOptions = {
    address,
    transport: 'node',
    token: resolveToken(env),
    namespace: flags.namespace || envValue(env, 'NAMESPACE'),
    headers: headersOf(flags.header),
    wrapTtl: wrapTtlOf(flags['wrap-ttl'], env),
  };
  const client = readClientCert(flags['client-cert'] || envValue(env, 'CLIENT_CERT'), flags['client-key'] || envValue(env, 'CLIENT_KEY'));
  if (ca || skipVerify || serverName || client) opts.tls = { ca, skipVerify, serverName, ...client };
  return opts;
}
