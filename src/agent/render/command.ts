/**
 * Runs a template's `command` after a render changed its file: a string through `sh -c`,
 * an array as argv. Its output goes to the agent's own stdout and stderr (the operator's
 * command chose what to print); the log says only how it ended.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../../logging/logger.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

export interface CommandResult {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export function runCommand(command: string | string[], timeoutMs: number, logger: Logger, label: string): Promise<CommandResult> {
  const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0]!, command.slice(1)];
  return new Promise((resolve) => {
    let timedOut = false;
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: `sh -c` would otherwise leave its children running.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const finish = (r: CommandResult, spawnError?: string) => {
      clearTimeout(timer);
      if (!r.ok) logger.error('template command failed', { template: label, exit_code: r.code, signal: r.signal, timed_out: r.timedOut, ...(spawnError ? { error: spawnError } : {}) });
      else logger.debug('template command finished', { template: label });
      resolve(r);
    };
    child.once('error', (err) => finish({ ok: false, code: null, signal: null, timedOut: false }, err.message));
    child.once('exit', (code, signal) => finish({ ok: code === 0 && !timedOut, code, signal, timedOut }));
  });
}
