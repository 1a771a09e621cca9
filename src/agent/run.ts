/**
 * The agent as a process: configuration from files and flags, a logger, OS signals
 * passed to the agent, and an exit code. Configuration problems print one line naming the
 * file and exit 1, as Vault Agent does.
 */
import { createLogger, parseLogLevel, type LogLevel } from '../logging/logger.js';
import { AgentStartError, startAgent } from './agent.js';
import { AgentConfigError, loadAgentConfig } from './config/parse.js';

export interface AgentCommandOptions {
  configPaths: string[];
  logLevel?: string;
  exitAfterAuth?: boolean;
}

interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

export async function runAgentCommand(opts: AgentCommandOptions, io: Io): Promise<number> {
  let level: LogLevel;
  let config;
  try {
    config = loadAgentConfig(opts.configPaths, io.env);
    if (opts.exitAfterAuth !== undefined) config.exitAfterAuth = opts.exitAfterAuth;
    if (config.exitAfterAuth && !config.autoAuth) throw new AgentConfigError('-exit-after-auth needs an auto_auth stanza');
    level = parseLogLevel(opts.logLevel ?? config.logLevel);
  } catch (err) {
    io.stderr.write(`Error loading configuration: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const logger = createLogger({ level, name: 'agent', write: (line) => io.stderr.write(`${line}\n`) });
  io.stdout.write(`==> Coffer agent started! Server: ${config.vault.address}; log level: ${level}\n`);
  let agent;
  try {
    agent = await startAgent(config, { logger });
  } catch (err) {
    if (err instanceof AgentStartError || err instanceof AgentConfigError) {
      io.stderr.write(`Error starting agent: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const handlers = SIGNALS.map((sig) => {
    const h = () => agent.signal(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  const code = await agent.done;
  for (const [sig, h] of handlers) process.off(sig, h);
  logger.info('agent stopped', { code });
  return code;
}
