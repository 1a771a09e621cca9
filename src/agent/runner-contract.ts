/**
 * The template runner as the agent uses it, declared here so the agent compiles before
 * the runner (src/agent/render/runner.ts) exists; that module's startTemplateRunner has
 * this shape and is passed to runAgent.
 */
import type { Logger } from '../logging/logger.js';
import type { EnvTemplateSpec, TemplateSpec } from './config/types.js';

export interface TemplateRunnerOptions {
  address: string;
  caCert?: string;
  tlsSkipVerify: boolean;
  token: () => string;
  templates: TemplateSpec[];
  envTemplates: EnvTemplateSpec[];
  staticSecretRenderIntervalMs: number;
  exitOnRetryFailure: boolean;
  logger: Logger;
  onEnvChange?(env: Record<string, string>): void;
  onFatal?(err: Error): void;
}

export interface TemplateRunner {
  firstRender: Promise<void>;
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export type StartTemplateRunner = (opts: TemplateRunnerOptions) => TemplateRunner;
