/**
 * Vault Agent's configuration file, HCL or JSON, into an AgentConfig. Every stanza and key
 * the agent does not know is an error naming the file and (for HCL) the line, so a Vault
 * Agent file either runs as written or says what it cannot do.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHcl } from '../../hcl/index.js';
import { parseAutoAuth } from './auto-auth.js';
import { AgentConfigError, stanza, typedBlocks, type Stanza } from './reader.js';
import { parseEnvTemplate, parseExec, parseTemplate, parseTemplateConfig } from './templates.js';
import type { AgentConfig, ApiProxyConfig, ListenerConfig, UseAutoAuthToken, VaultConnection } from './types.js';

export { AgentConfigError } from './reader.js';

/** What one file says; files are merged by mergeConfigs. */
export type PartialAgentConfig = Partial<Omit<AgentConfig, 'vault'>> & { vault?: Partial<VaultConnection>; sources: string[] };

const DEFAULT_VAULT_ADDRESS = 'https://127.0.0.1:8200';
/** Vault's own default when the file gives no num_retries (or 0). */
const DEFAULT_NUM_RETRIES = 12;

function parseVault(v: Stanza): Partial<VaultConnection> {
  const out: Partial<VaultConnection> = {};
  const set = <K extends keyof VaultConnection>(k: K, value: VaultConnection[K] | undefined) => {
    if (value !== undefined) out[k] = value;
  };
  set('address', v.str('address'));
  set('caCert', v.str('ca_cert'));
  set('caPath', v.str('ca_path'));
  set('tlsSkipVerify', v.bool('tls_skip_verify'));
  set('tlsServerName', v.str('tls_server_name'));
  set('clientCert', v.str('client_cert'));
  set('clientKey', v.str('client_key'));
  const retry = v.object('retry');
  if (retry) {
    const n = retry.int('num_retries');
    if (n !== undefined) {
      if (n < -1) retry.fail('must be -1 (no retries), 0 (the default of 12) or more', 'num_retries');
      out.numRetries = n === 0 ? DEFAULT_NUM_RETRIES : n === -1 ? 0 : n;
    }
    retry.done();
  }
  v.done();
  return out;
}

function parseListener(type: string, l: Stanza): ListenerConfig {
  if (type !== 'tcp') l.fail(`unsupported listener type "${type}" (only "tcp")`);
  l.raw('type');
  const listener: ListenerConfig = {
    address: l.str('address') ?? '127.0.0.1:8100',
    tlsDisable: l.bool('tls_disable') ?? false,
  };
  const cert = l.str('tls_cert_file');
  const key = l.str('tls_key_file');
  if (cert) listener.tlsCertFile = cert;
  if (key) listener.tlsKeyFile = key;
  if (!listener.tlsDisable && (!cert || !key)) l.fail('a listener with TLS on needs tls_cert_file and tls_key_file (or tls_disable = true)');
  l.done();
  return listener;
}

function useAutoAuthToken(s: Stanza): UseAutoAuthToken {
  const raw = s.raw('use_auto_auth_token');
  if (raw === undefined) return false;
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'force') return 'force';
  return s.bool('use_auto_auth_token') ?? false;
}

function parseApiProxy(s: Stanza): ApiProxyConfig {
  const out = { useAutoAuthToken: useAutoAuthToken(s) };
  s.done();
  return out;
}

/** One file's text. `source` names it in messages. */
export function parseAgentConfigText(text: string, source: string): PartialAgentConfig {
  let tree: Record<string, unknown>;
  try {
    tree = parseHcl(text) as Record<string, unknown>;
  } catch (err) {
    throw new AgentConfigError(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const top = stanza(source, '', tree, /^\uFEFF?\s*\{/.test(text) ? 'json' : 'hcl');
  const out: PartialAgentConfig = { sources: [source] };
  const vault = top.object('vault');
  if (vault) out.vault = parseVault(vault);
  const autoAuth = top.object('auto_auth');
  if (autoAuth) out.autoAuth = parseAutoAuth(autoAuth);
  const exitAfterAuth = top.bool('exit_after_auth');
  if (exitAfterAuth !== undefined) out.exitAfterAuth = exitAfterAuth;
  const pidFile = top.str('pid_file');
  if (pidFile) out.pidFile = pidFile;
  const logLevel = top.str('log_level');
  if (logLevel) out.logLevel = logLevel;
  const apiProxy = top.object('api_proxy');
  // The older shape: cache { use_auto_auth_token = true } did the proxy's job.
  const cache = top.object('cache');
  if (apiProxy && cache) cache.fail('use api_proxy or cache, not both');
  if (apiProxy || cache) out.apiProxy = parseApiProxy((apiProxy ?? cache)!);
  const listeners = typedBlocks(top, 'listener').map((l) => parseListener(l.type, l.body));
  if (listeners.length) out.listeners = listeners;
  const templateConfig = top.object('template_config');
  if (templateConfig) out.templateConfig = parseTemplateConfig(templateConfig);
  const templates = top.objects('template').map(parseTemplate);
  if (templates.length) out.templates = templates;
  const envTemplates = typedBlocks(top, 'env_template').map((e) => parseEnvTemplate(e.type, e.body));
  if (envTemplates.length) out.envTemplates = envTemplates;
  const exec = top.object('exec');
  if (exec) out.exec = parseExec(exec);
  top.done();
  return out;
}

/** Files given with -config, in order; a directory stands for its *.hcl and *.json files. */
function readConfigFiles(paths: string[]): PartialAgentConfig[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      throw new AgentConfigError(`cannot read config file ${p}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (isDir) files.push(...readdirSync(p).filter((n) => /\.(hcl|json)$/i.test(n)).sort().map((n) => join(p, n)));
    else files.push(p);
  }
  if (files.length === 0) throw new AgentConfigError(`no configuration files found in ${paths.join(', ')}`);
  return files.map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      throw new AgentConfigError(`cannot read config file ${f}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return parseAgentConfigText(text, f);
  });
}

const TRUE = /^(1|t|true)$/i;

/** `COFFER_<name>`, else `VAULT_<name>`; empty counts as unset. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  for (const key of [`COFFER_${name}`, `VAULT_${name}`]) {
    const v = env[key];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/**
 * Several files into one configuration, later files winning for single settings and
 * adding to lists (templates, listeners), then the environment on top of the `vault`
 * stanza as Vault Agent does (VAULT_ADDR beats `vault.address`).
 */
export function mergeConfigs(parts: PartialAgentConfig[], env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const vault: Partial<VaultConnection> = {};
  const config: AgentConfig = {
    sources: [],
    vault: { address: DEFAULT_VAULT_ADDRESS, tlsSkipVerify: false, numRetries: DEFAULT_NUM_RETRIES },
    exitAfterAuth: false,
    listeners: [],
    templateConfig: parseTemplateConfig(undefined),
    templates: [],
    envTemplates: [],
  };
  for (const p of parts) {
    config.sources.push(...p.sources);
    Object.assign(vault, p.vault ?? {});
    if (p.autoAuth) config.autoAuth = p.autoAuth;
    if (p.exitAfterAuth !== undefined) config.exitAfterAuth = p.exitAfterAuth;
    if (p.pidFile) config.pidFile = p.pidFile;
    if (p.logLevel) config.logLevel = p.logLevel;
    if (p.apiProxy) config.apiProxy = p.apiProxy;
    if (p.templateConfig) config.templateConfig = p.templateConfig;
    if (p.exec) config.exec = p.exec;
    config.listeners.push(...(p.listeners ?? []));
    config.templates.push(...(p.templates ?? []));
    config.envTemplates.push(...(p.envTemplates ?? []));
  }
  Object.assign(config.vault, vault);
  const v = config.vault;
  v.address = envValue(env, 'ADDR') ?? v.address;
  v.caCert = envValue(env, 'CACERT') ?? v.caCert;
  v.caPath = envValue(env, 'CAPATH') ?? v.caPath;
  v.tlsServerName = envValue(env, 'TLS_SERVER_NAME') ?? v.tlsServerName;
  v.clientCert = envValue(env, 'CLIENT_CERT') ?? v.clientCert;
  v.clientKey = envValue(env, 'CLIENT_KEY') ?? v.clientKey;
  const skip = envValue(env, 'SKIP_VERIFY');
  if (skip !== undefined) v.tlsSkipVerify = TRUE.test(skip);
  for (const k of Object.keys(v) as Array<keyof VaultConnection>) if (v[k] === undefined) delete v[k];
  return validate(config);
}

function validate(config: AgentConfig): AgentConfig {
  const name = config.sources.join(', ');
  const fail = (message: string): never => {
    throw new AgentConfigError(`${name}: ${message}`);
  };
  if (!/^https?:\/\/[^/]+/i.test(config.vault.address)) fail(`vault.address "${config.vault.address}" must be http://host:port or https://host:port`);
  if (Boolean(config.vault.clientCert) !== Boolean(config.vault.clientKey)) fail('vault.client_cert and vault.client_key go together');
  if (config.exitAfterAuth && !config.autoAuth) fail('exit_after_auth needs an auto_auth stanza');
  if (config.apiProxy?.useAutoAuthToken && !config.autoAuth) fail('api_proxy.use_auto_auth_token needs an auto_auth stanza to get the token from');
  if ((config.templates.length || config.envTemplates.length) && !config.autoAuth) fail('template and env_template stanzas need an auto_auth stanza to get a token');
  if (config.apiProxy && config.listeners.length === 0) fail('api_proxy needs a listener "tcp" stanza to serve on');
  if (config.envTemplates.length && !config.exec) fail('env_template needs an exec stanza: its values go into the environment of the exec command');
  if (config.exec && config.templates.length) fail('template stanzas cannot be used with exec: give the application its secrets with env_template');
  if (config.exec && config.exitAfterAuth) fail('exec and exit_after_auth cannot be used together');
  if (!config.autoAuth && !config.apiProxy && !config.exec) fail('nothing to do: add an auto_auth, api_proxy or exec stanza');
  return config;
}

/** The configuration from -config paths (files or directories). */
export function loadAgentConfig(paths: string[], env: NodeJS.ProcessEnv = process.env): AgentConfig {
  if (paths.length === 0) throw new AgentConfigError('at least one -config file is required');
  return mergeConfigs(readConfigFiles(paths), env);
}

