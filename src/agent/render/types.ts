/**
 * The contract between the template runner and the rest of `coffer agent` (config parsing,
 * auto-auth, exec): one `template { }` stanza becomes a TemplateSpec, one `env_template`
 * an EnvTemplateSpec, and the agent starts one runner for all of them.
 */
import type { TlsOptions } from '../../api/transport.js';
import type { Logger } from '../../logging/logger.js';

/** One `template { }` stanza of Vault Agent. */
export interface TemplateSpec {
  /** Exactly one of source (a template file) and contents (the template inline). */
  source?: string;
  contents?: string;
  /** File to write; required unless the template is only used for env. */
  destination?: string;
  /** File mode; 0o644 when absent. */
  perms?: number;
  /** Run after a render that changed the file: a string through `sh -c`, an array as argv. */
  command?: string | string[];
  commandTimeoutMs?: number;
  errorOnMissingKey?: boolean;
  leftDelimiter?: string;
  rightDelimiter?: string;
}

export interface EnvTemplateSpec {
  name: string;
  contents: string;
  errorOnMissingKey?: boolean;
}

export interface TemplateRunnerOptions {
  address: string;
  /** The agent's connection to the server: CA (ca_cert or ca_path), client certificate, server name, skip-verify. */
  tls?: TlsOptions;
  /** The current auto-auth token; it changes on re-authentication. */
  token: () => string;
  templates: TemplateSpec[];
  envTemplates: EnvTemplateSpec[];
  /** How often static secrets are re-read when no event says they changed (Vault's default: 5m). */
  staticSecretRenderIntervalMs: number;
  /** Give up (onFatal) when a fetch still fails after its retries, instead of waiting for the next try. */
  exitOnRetryFailure: boolean;
  /** Never handed a token or a rendered value. */
  logger: Logger;
  /** env_template values changed after the first render (exec restarts its child). */
  onEnvChange?: (env: Record<string, string>) => void;
  onFatal?: (err: Error) => void;
}

export interface TemplateRunner {
  /** Resolves once every template and env template has rendered; rejects on a fatal error. */
  firstRender: Promise<void>;
  /** The env_template values of the latest render. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}
