/**
 * The agent's template runner: renders every `template` to its file and every
 * `env_template` to a value, then keeps them current as their secrets change (events,
 * polling, lease renewal). A template renders again only when one of its dependencies
 * changed, writes only when the text changed, and runs its command only after a write.
 * Template errors are fatal, as in Vault Agent; fetch failures are fatal only with
 * exit_on_retry_failure, otherwise retried at the next poll.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createApiClient, type ApiClient } from '../../api/client.js';
import { compileTemplate, TemplateError, type CompiledTemplate } from '../template/index.js';
import { startChangeFeed, type ChangeFeed } from './change-feed.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, runCommand } from './command.js';
import { createDependencyStore } from './dependencies.js';
import { SECRET_FUNCTION_NAMES, SecretFetchError, secretFunctions } from './secret-functions.js';
import type { EnvTemplateSpec, TemplateRunner, TemplateRunnerOptions, TemplateSpec } from './types.js';
import { writeIfChanged } from './write-file.js';

export type { TemplateRunner, TemplateRunnerOptions, TemplateSpec, EnvTemplateSpec } from './types.js';

interface Unit {
  id: string;
  /** For logs and errors: the source file, the destination, or the env name. */
  label: string;
  compiled: CompiledTemplate;
  file?: TemplateSpec;
  env?: EnvTemplateSpec;
  errorOnMissingKey: boolean;
  rendered: boolean;
  /** A render is running; `again` asks for one more after it. */
  running?: Promise<void>;
  again: boolean;
  failed: boolean;
}

function compileUnits(o: TemplateRunnerOptions): Unit[] {
  const extraFunctions = SECRET_FUNCTION_NAMES;
  const units: Unit[] = [];
  o.templates.forEach((spec, i) => {
    const name = spec.source ? basename(spec.source) : basename(spec.destination!);
    let text: string;
    try {
      text = spec.source ? readFileSync(spec.source, 'utf8') : spec.contents!;
    } catch (e) {
      throw new Error(`template ${i + 1}: cannot read source ${spec.source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const compiled = compileTemplate(text, { name, leftDelimiter: spec.leftDelimiter, rightDelimiter: spec.rightDelimiter, extraFunctions });
    units.push({ id: `t${i}`, label: spec.source ?? spec.destination!, compiled, file: spec, errorOnMissingKey: !!spec.errorOnMissingKey, rendered: false, again: false, failed: false });
  });
  o.envTemplates.forEach((spec, i) => {
    const compiled = compileTemplate(spec.contents, { name: `env_template ${spec.name}`, extraFunctions });
    units.push({ id: `e${i}`, label: `env ${spec.name}`, compiled, env: spec, errorOnMissingKey: !!spec.errorOnMissingKey, rendered: false, again: false, failed: false });
  });
  return units;
}

export function startTemplateRunner(o: TemplateRunnerOptions): TemplateRunner {
  const log = o.logger.named('template');
  const client: ApiClient = createApiClient({ address: o.address, ...(o.tls ? { tls: o.tls } : {}) });
  const currentClient = () => {
    client.setToken(o.token());
    return client;
  };
  const envValues: Record<string, string> = {};
  let stopped = false;
  let fatal: Error | undefined;
  let resolveFirst!: () => void;
  let rejectFirst!: (e: Error) => void;
  const firstRender = new Promise<void>((res, rej) => ((resolveFirst = res), (rejectFirst = rej)));
  firstRender.catch(() => undefined); // callers that only use onFatal must not see an unhandled rejection
  /** An env value changed since onEnvChange was last called. */
  let envDirty = false;
  // One notice per change, however many env templates it touched: exec restarts its child once.
  const flushEnv = () => {
    if (!envDirty || stopped || fatal) return;
    envDirty = false;
    o.onEnvChange?.({ ...envValues });
  };
  const renderAll = (ids: Iterable<string>) => {
    const batch = [...ids].map((id) => byId.get(id)).filter((u): u is Unit => u !== undefined);
    void Promise.all(batch.map((u) => requestRender(u))).then(flushEnv);
  };
  let feed: ChangeFeed | undefined;

  const die = (err: Error) => {
    if (fatal || stopped) return;
    fatal = err;
    log.error('template runner stopped', { error: err.message });
    rejectFirst(err);
    void shutdown();
    o.onFatal?.(err);
  };

  let units: Unit[];
  try {
    units = compileUnits(o);
  } catch (e) {
    const err = e as Error;
    // Nothing started yet: report the error once the caller holds the runner.
    queueMicrotask(() => {
      fatal = err;
      log.error('template runner stopped', { error: err.message });
      rejectFirst(err);
      o.onFatal?.(err);
    });
    return { firstRender, env: () => ({}), stop: async () => undefined };
  }
  const byId = new Map(units.map((u) => [u.id, u]));

  const store = createDependencyStore({
    client: currentClient,
    logger: log,
    onChanged: (dep) => renderAll(dep.consumers),
    onRefreshError: (dep, err) => {
      log.warn('could not refresh a secret', { path: dep.path, error: err.message });
      if (o.exitOnRetryFailure) die(err);
    },
  });

  async function renderOnce(u: Unit): Promise<void> {
    const used = new Set<string>();
    const functions = secretFunctions(store, u.id, used, u.file?.destination);
    const text = await u.compiled.render(null, { errorOnMissingKey: u.errorOnMissingKey, functions });
    if (stopped) return;
    store.release(u.id, used);
    if (u.file) {
      const changed = await writeIfChanged(u.file.destination!, text, u.file.perms ?? 0o644);
      if (changed) log.info('rendered', { destination: u.file.destination });
      if (changed && u.file.command && !stopped) await runCommand(u.file.command, u.file.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, log, u.label);
    } else if (u.env) {
      if (envValues[u.env.name] !== text && u.rendered) envDirty = true;
      envValues[u.env.name] = text;
    }
    u.rendered = true;
  }

  /** Serialises renders of one unit; a request during a render queues exactly one more. */
  function requestRender(u: Unit): Promise<void> {
    if (stopped) return Promise.resolve();
    if (u.running) {
      u.again = true;
      return u.running;
    }
    u.running = (async () => {
      do {
        u.again = false;
        try {
          await renderOnce(u);
          u.failed = false;
        } catch (e) {
          u.failed = true;
          const fetchFailed = e instanceof TemplateError && e.cause instanceof SecretFetchError;
          // A mistake in the template does not fix itself: stop, as Vault Agent does.
          if (e instanceof TemplateError && !fetchFailed) return die(e);
          if (o.exitOnRetryFailure) return die(e as Error);
          log.warn('render failed; trying again at the next change or poll', { template: u.label, error: (e as Error).message });
        }
      } while (u.again && !stopped);
    })().finally(() => (u.running = undefined));
    return u.running;
  }

  async function shutdown() {
    stopped = true;
    rejectFirst(new Error('the template runner was stopped before its first render finished')); // no-op once settled
    feed?.stop();
    store.stop();
    await Promise.all(units.map((u) => u.running));
  }

  feed = startChangeFeed({
    address: o.address,
    tls: o.tls,
    token: o.token,
    pollIntervalMs: o.staticSecretRenderIntervalMs,
    logger: log,
    onPaths: (paths) => void store.pathsChanged(paths),
    onRefreshAll: () => {
      void store.refreshStatic();
      renderAll(units.filter((u) => u.failed || !u.rendered).map((u) => u.id));
    },
  });

  void (async () => {
    await feed.ready;
    await Promise.all(units.map((u) => requestRender(u)));
    if (fatal || stopped) return;
    // Units that failed with retries allowed are still pending: resolve when the last renders.
    const wait = () => {
      if (fatal || stopped) return;
      if (units.every((u) => u.rendered)) resolveFirst();
      else setTimeout(wait, 100).unref?.();
    };
    wait();
  })();

  return {
    firstRender,
    env: () => ({ ...envValues }),
    stop: shutdown,
  };
}
