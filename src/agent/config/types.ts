/**
 * What an agent configuration file says, as plain data: Vault Agent's stanzas read into
 * the shapes the agent's parts take. Durations are milliseconds, file modes numbers.
 */

import type { EnvTemplateSpec, TemplateSpec } from '../render/types.js';

export type { EnvTemplateSpec, TemplateSpec };

/** How to reach the server: the `vault` stanza, with VAULT_* from the environment on top. */
export interface VaultConnection {
  address: string;
  caCert?: string;
  caPath?: string;
  tlsSkipVerify: boolean;
  tlsServerName?: string;
  clientCert?: string;
  clientKey?: string;
  /** Extra attempts after a failed request from the agent to the server (0: none). */
  numRetries: number;
}

export type AuthMethodType = 'approle' | 'kubernetes' | 'jwt' | 'token_file' | 'cert';

export type MethodSettings =
  | {
      type: 'approle';
      roleIdFilePath: string;
      secretIdFilePath?: string;
      removeSecretIdFileAfterReading: boolean;
      /** The secret id file holds a wrapping token made at this path (checked before unwrapping). */
      secretIdResponseWrappingPath?: string;
    }
  | { type: 'kubernetes'; role: string; tokenPath: string }
  | { type: 'jwt'; role: string; path: string; removeJwtAfterReading: boolean }
  | { type: 'token_file'; tokenFilePath: string }
  /** TLS certificate login: the method's own client certificate, or else the vault stanza's. */
  | { type: 'cert'; name?: string; caCert?: string; clientCert?: string; clientKey?: string };

export interface AuthMethodConfig {
  type: AuthMethodType;
  /** Where the method is mounted, e.g. `auth/approle`. */
  mountPath: string;
  namespace?: string;
  settings: MethodSettings;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Exit instead of retrying when a login fails. */
  exitOnError: boolean;
}

export interface FileSinkConfig {
  type: 'file';
  path: string;
  mode: number;
  /** When set, the sink holds a wrapping token for the auth token instead of the token itself. */
  wrapTtlSeconds?: number;
}

export interface AutoAuthConfig {
  method: AuthMethodConfig;
  sinks: FileSinkConfig[];
}

export interface ListenerConfig {
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/** `use_auto_auth_token`: add the agent's token to requests without one, or always ("force"). */
export type UseAutoAuthToken = false | true | 'force';

export interface ApiProxyConfig {
  useAutoAuthToken: UseAutoAuthToken;
}

export interface TemplateConfig {
  staticSecretRenderIntervalMs: number;
  exitOnRetryFailure: boolean;
}

export interface ExecConfig {
  command: string[];
  restartOnSecretChanges: 'always' | 'never';
  restartStopSignal: NodeJS.Signals;
}

export interface AgentConfig {
  /** The files the configuration came from, for messages. */
  sources: string[];
  vault: VaultConnection;
  autoAuth?: AutoAuthConfig;
  exitAfterAuth: boolean;
  pidFile?: string;
  logLevel?: string;
  apiProxy?: ApiProxyConfig;
  listeners: ListenerConfig[];
  templateConfig: TemplateConfig;
  templates: TemplateSpec[];
  envTemplates: EnvTemplateSpec[];
  exec?: ExecConfig;
}

/** Vault Agent's default for re-reading static secrets: five minutes. */
export const DEFAULT_STATIC_SECRET_RENDER_INTERVAL_MS = 5 * 60_000;
