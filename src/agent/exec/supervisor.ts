/**
 * The process supervisor (`exec`): runs the application as the agent's child with the
 * agent's environment plus the env templates' values, passes on the signals an operator
 * or orchestrator sends, restarts it when those values change, and reports its exit so the
 * agent can exit with the same code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Logger } from '../../logging/logger.js';
import type { ExecConfig } from '../config/types.js';

export interface SupervisorOptions {
  exec: ExecConfig;
  /** The extra variables for the child (the env templates' values). */
  env(): Record<string, string>;
  logger: Logger;
  /** The child exited on its own (not for a restart): its exit code, 128+n for signal n. */
  onExit(code: number): void;
  /** How long a stopping child gets before SIGKILL. */
  graceMs?: number;
}

export interface Supervisor {
  start(): void;
  /** Stops the child with restart_stop_signal and starts it again with the current env. */
  restart(): Promise<void>;
  /** Passes a signal to the child, if one runs. */
  signal(sig: NodeJS.Signals): void;
  /**
   * Stops the child for good (signal, then SIGKILL after the grace period) and resolves with
   * its exit code; no restart starts another one afterwards.
   */
  stop(sig?: NodeJS.Signals): Promise<number | undefined>;
  pid(): number | undefined;
}

const DEFAULT_GRACE_MS = 30_000;

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 1) : 1);
}

export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const [file, ...args] = opts.exec.command;
  const log = opts.logger;
  let child: ChildProcess | undefined;
  let exited: Promise<number> | undefined;
  /** Children we are stopping on purpose: their exit is not the application's exit. */
  const stopping = new WeakSet<ChildProcess>();
  let closed = false;
  let restarting: Promise<void> | undefined;
  let restartAgain = false;

  function start(): void {
    if (closed) return;
    const c = spawn(file!, args, { stdio: 'inherit', env: { ...process.env, ...opts.env() } });
    child = c;
    exited = new Promise<number>((resolve) => {
      c.once('error', (err) => {
        log.error('cannot start the exec command', { command: file, error: (err as NodeJS.ErrnoException).code ?? err.message });
        if (child === c) child = undefined;
        if (!stopping.has(c)) opts.onExit(127);
        resolve(127);
      });
      c.once('exit', (code, signal) => {
        const exitCode = exitCodeOf(code, signal);
        if (child === c) child = undefined;
        if (!stopping.has(c)) {
          log.info('the exec command exited', { pid: c.pid, code: exitCode });
          opts.onExit(exitCode);
        }
        resolve(exitCode);
      });
    });
    if (c.pid !== undefined) log.info('started the exec command', { command: file, pid: c.pid });
  }

  async function stopChild(sig: NodeJS.Signals): Promise<number | undefined> {
    const c = child;
    const done = exited;
    if (!c || !done) return undefined;
    stopping.add(c);
    c.kill(sig);
    const timer = setTimeout(() => {
      log.warn('the exec command did not stop in time; killing it', { pid: c.pid });
      c.kill('SIGKILL');
    }, opts.graceMs ?? DEFAULT_GRACE_MS);
    const code = await done;
    clearTimeout(timer);
    return code;
  }

  /** Changes that come while a restart is under way fold into one more restart, never two children. */
  function restart(): Promise<void> {
    if (restarting) {
      restartAgain = true;
      return restarting;
    }
    restarting = (async () => {
      do {
        restartAgain = false;
        log.info('restarting the exec command: its environment changed');
        await stopChild(opts.exec.restartStopSignal);
        start();
      } while (restartAgain && !closed);
      restarting = undefined;
    })();
    return restarting;
  }

  return {
    start,
    restart,
    signal(sig) {
      child?.kill(sig);
    },
    async stop(sig = opts.exec.restartStopSignal) {
      closed = true;
      const pending = restarting;
      const code = await stopChild(sig);
      await pending;
      return code;
    },
    pid: () => child?.pid,
  };
}
