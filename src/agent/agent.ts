/**
 * `coffer agent`: the parts a configuration asks for, started in order: the pid file,
 * auto-auth (sinks written with each new token), the API proxy listeners, then, once a
 * token exists, the template runner and the exec child. `run` resolves with the exit code:
 * the child's when it exits on its own, 0 after exit_after_auth or a stop signal, 1 on a
 * fatal error.
 */
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiClient, type ApiClient, type TlsOptions } from '../api/client.js';
import type { Logger } from '../logging/logger.js';
import { describe, startAutoAuth, type AutoAuth } from './auth/auto-auth.js';
import { createLogin } from './auth/methods.js';
import type { AgentConfig, MethodSettings } from './config/types.js';
import { createSupervisor, type Supervisor } from './exec/supervisor.js';
import { createProxyHandler, startListener, type RunningListener } from './proxy/api-proxy.js';
import { startTemplateRunner } from './render/runner.js';
import type { TemplateRunner } from './render/types.js';
import { writeSink } from './sink/file-sink.js';

export interface AgentDeps {
  logger: Logger;
  /** Listener URLs, once they listen (for tests and the startup banner). */
  onListening?(urls: string[]): void;
}

export interface RunningAgent {
  /** Resolves with the exit code when the agent has stopped. */
  done: Promise<number>;
  /** A signal from outside: forwarded to the exec child, or stops the agent. */
  signal(sig: NodeJS.Signals): void;
}

export class AgentStartError extends Error {}

function tlsOf(config: AgentConfig): TlsOptions | undefined {
  const v = config.vault;
  const ca: Buffer[] = [];
  try {
    if (v.caCert) ca.push(readFileSync(v.caCert));
    else if (v.caPath) for (const n of readdirSync(v.caPath).sort()) if (/\.(pem|crt)$/i.test(n)) ca.push(readFileSync(join(v.caPath, n)));
  } catch (err) {
    throw new AgentStartError(`cannot read the CA certificates (vault.ca_cert / ca_path): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  try {
    if (v.clientCert) cert = readFileSync(v.clientCert);
    if (v.clientKey) key = readFileSync(v.clientKey);
  } catch (err) {
    throw new AgentStartError(`cannot read vault.client_cert / client_key: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!ca.length && !v.tlsSkipVerify && !v.tlsServerName && !cert) return undefined;
  return { ...(ca.length ? { ca } : {}), skipVerify: v.tlsSkipVerify, ...(v.tlsServerName ? { serverName: v.tlsServerName } : {}), ...(cert ? { cert, key } : {}) };
}

/**
 * The TLS settings auto-auth logs in and renews with: a `cert` method's own CA and client
 * certificate over the vault stanza's. One client does both, because the cert method renews
 * a token only for the certificate that logged in.
 */
function authTls(base: TlsOptions | undefined, s: MethodSettings): TlsOptions | undefined {
  if (s.type !== 'cert' || (!s.caCert && !s.clientCert)) return base;
  try {
    return {
      ...base,
      ...(s.caCert ? { ca: [readFileSync(s.caCert)] } : {}),
      ...(s.clientCert ? { cert: readFileSync(s.clientCert), key: readFileSync(s.clientKey!) } : {}),
    };
  } catch (err) {
    throw new AgentStartError(`cannot read the cert method's ca_cert / client_cert / client_key: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** How long a proxied request waits for the first login before it goes on without a token. */
const FIRST_TOKEN_WAIT_MS = 5_000;

function firstTokenOrNone(auth: AutoAuth): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), FIRST_TOKEN_WAIT_MS);
    void auth.firstToken.then((t) => {
      clearTimeout(timer);
      resolve(t);
    });
  });
}

export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const log = deps.logger;
  const usesTemplates = config.templates.length > 0 || config.envTemplates.length > 0;
  const tls = tlsOf(config);
  const client: ApiClient = createApiClient({ address: config.vault.address, transport: 'node', tls: tls ?? {}, ...(config.autoAuth?.method.namespace ? { namespace: config.autoAuth.method.namespace } : {}) });

  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  let finished = false;
  let auth: AutoAuth | undefined;
  let runner: TemplateRunner | undefined;
  let supervisor: Supervisor | undefined;
  const listeners: RunningListener[] = [];

  async function shutdown(code: number): Promise<void> {
    if (finished) return;
    finished = true;
    auth?.stop();
    await runner?.stop().catch(() => undefined);
    await supervisor?.stop().catch(() => undefined);
    await Promise.all(listeners.map((l) => l.close()));
    if (config.pidFile) {
      try {
        unlinkSync(config.pidFile);
      } catch {
        // already gone
      }
    }
    finish(code);
  }
  const fatal = (err: Error) => {
    log.error(err.message);
    void shutdown(1);
  };

  if (config.pidFile) {
    try {
      writeFileSync(config.pidFile, `${process.pid}\n`, { mode: 0o644 });
    } catch (err) {
      throw new AgentStartError(`cannot write pid_file ${config.pidFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }

  try {
    if (config.autoAuth) {
      const aa = config.autoAuth;
      let sinksDone = false;
      const loginTls = authTls(tls, aa.method.settings);
      const authClient = loginTls === tls ? client : createApiClient({ address: config.vault.address, transport: 'node', tls: loginTls ?? {}, ...(aa.method.namespace ? { namespace: aa.method.namespace } : {}) });
      if (aa.method.settings.type === 'cert' && !loginTls?.cert) throw new AgentStartError('the cert auto_auth method needs a client certificate: client_cert and client_key in its config, or in the vault stanza');
      auth = startAutoAuth({
        login: createLogin(authClient, aa.method.mountPath, aa.method.settings),
        client: authClient,
        logger: log.named('auth'),
        minBackoffMs: aa.method.minBackoffMs,
        maxBackoffMs: aa.method.maxBackoffMs,
        exitOnError: aa.method.exitOnError,
        onFatal: fatal,
        async onToken(t) {
          for (const sink of aa.sinks) {
            try {
              await writeSink(client, sink, t.token);
              log.info('token written', { sink: sink.path, ...(sink.wrapTtlSeconds ? { wrapped: true } : {}) });
            } catch (err) {
              log.error('writing the sink failed', { sink: sink.path, error: describe(err) });
            }
          }
          // With templates, exit_after_auth waits for their first render (below).
          if (config.exitAfterAuth && !usesTemplates && !sinksDone) {
            sinksDone = true;
            log.info('exit_after_auth is set: exiting');
            void shutdown(0);
          }
        },
      });
    }

    if (config.apiProxy) {
      const handler = createProxyHandler({
        vault: config.vault,
        upstreamTls: { ca: tls?.ca, rejectUnauthorized: !config.vault.tlsSkipVerify, servername: tls?.serverName, cert: tls?.cert, key: tls?.key },
        proxy: config.apiProxy,
        token: () => auth?.token() ?? (auth ? firstTokenOrNone(auth) : undefined),
        logger: log.named('proxy'),
      });
      for (const l of config.listeners) {
        try {
          listeners.push(await startListener(l, handler));
        } catch (err) {
          throw new AgentStartError(`cannot listen on ${l.address}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
      }
      const urls = listeners.map((l) => l.url);
      log.info('API proxy listening', { addresses: urls.join(',') });
      deps.onListening?.(urls);
    }
  } catch (err) {
    await shutdown(1);
    throw err;
  }

  void (async () => {
    if (config.autoAuth) await auth!.firstToken;
    if (finished) return;
    if (usesTemplates) {
      runner = startTemplateRunner({
        address: config.vault.address,
        ...(tls ? { tls } : {}),
        token: () => auth!.token() ?? '',
        templates: config.templates,
        envTemplates: config.envTemplates,
        staticSecretRenderIntervalMs: config.templateConfig.staticSecretRenderIntervalMs,
        exitOnRetryFailure: config.templateConfig.exitOnRetryFailure,
        logger: log.named('template'),
        onEnvChange: () => {
          if (config.exec?.restartOnSecretChanges === 'always') void supervisor?.restart();
        },
        onFatal: fatal,
      });
      await runner.firstRender;
      if (config.exitAfterAuth) {
        log.info('exit_after_auth is set and the templates are rendered: exiting');
        return void shutdown(0);
      }
    }
    if (config.exec && !finished) {
      supervisor = createSupervisor({
        exec: config.exec,
        env: () => runner?.env() ?? {},
        logger: log.named('exec'),
        onExit: (code) => void shutdown(code),
      });
      supervisor.start();
    }
  })().catch((err: unknown) => fatal(err instanceof Error ? err : new Error(String(err))));

  return {
    done,
    signal(sig) {
      if (supervisor?.pid() !== undefined) {
        // The child decides; its exit ends the agent with its code.
        log.info('forwarding signal to the exec command', { signal: sig });
        supervisor.signal(sig);
        return;
      }
      if (sig === 'SIGHUP') {
        log.info('SIGHUP received; configuration reload is not supported, ignoring');
        return;
      }
      log.info('stopping', { signal: sig });
      void shutdown(0);
    },
  };
}
