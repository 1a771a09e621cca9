/**
 * The token's life: log in, hand the token out, renew it at about two thirds of its TTL
 * (auth/token/renew-self), and log in again when it cannot be renewed any more (revoked,
 * not renewable, or near its max TTL). Failed logins back off exponentially between
 * min_backoff and max_backoff. A server that is down is waited for: its token is renewed
 * as soon as it answers again, or replaced when it expired meanwhile.
 */
import { ApiError, ConnectionError, type ApiClient } from '../../api/client.js';
import { requestOrThrow } from '../request.js';
import type { Logger } from '../../logging/logger.js';
import type { AgentToken } from './login-result.js';
import type { Login } from './methods.js';

export interface AutoAuthOptions {
  login: Login;
  /** A client without a token: renewals send the token they renew. */
  client: ApiClient;
  logger: Logger;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Stop at the first failed login instead of retrying. */
  exitOnError: boolean;
  /** Called with each new token (not after renewals), before the loop goes on. */
  onToken(token: AgentToken): Promise<void>;
  onFatal(err: Error): void;
}

export interface AutoAuth {
  /** The current token, if any. */
  token(): string | undefined;
  /** Resolves with the first token. */
  firstToken: Promise<string>;
  stop(): void;
}

/** A renewal is due at two thirds of what is left. */
const RENEW_AT = 2 / 3;

export function startAutoAuth(opts: AutoAuthOptions): AutoAuth {
  const log = opts.logger;
  let current: AgentToken | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  let resolveFirst!: (t: string) => void;
  const firstToken = new Promise<string>((r) => (resolveFirst = r));

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const jitter = (ms: number) => Math.round(ms * (0.75 + Math.random() * 0.25));

  async function loginWithBackoff(): Promise<AgentToken | undefined> {
    let backoff = opts.minBackoffMs;
    while (!stopped) {
      try {
        return await opts.login();
      } catch (err) {
        const message = describe(err);
        if (opts.exitOnError) {
          opts.onFatal(new Error(`auto-auth login failed: ${message}`));
          return undefined;
        }
        log.error('login failed; will retry', { error: message, backoff: `${backoff / 1000}s` });
        await sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, opts.maxBackoffMs);
      }
    }
    return undefined;
  }

  async function renew(t: AgentToken, increment: number): Promise<{ ttl: number; renewable: boolean }> {
    const body = await requestOrThrow<{ auth?: { lease_duration?: number; renewable?: boolean } }>(
      opts.client,
      'POST',
      'auth/token/renew-self',
      increment > 0 ? { increment: `${increment}s` } : {},
      { 'X-Vault-Token': t.token },
    );
    return { ttl: body?.auth?.lease_duration ?? 0, renewable: body?.auth?.renewable === true };
  }

  /** Keeps `t` alive; returns when a new login is needed. */
  async function watch(t: AgentToken): Promise<void> {
    if (t.ttlSeconds === 0) {
      // A token that never expires needs no care; wait until stopped.
      while (!stopped) await sleep(3_600_000);
      return;
    }
    const increment = t.ttlSeconds;
    let expiresAt = Date.now() + t.ttlSeconds * 1000;
    let dueAt = Date.now() + t.ttlSeconds * 1000 * RENEW_AT;
    let renewable = t.renewable;
    let retryMs = opts.minBackoffMs;
    for (;;) {
      await sleep(dueAt - Date.now());
      if (stopped) return;
      if (!renewable) {
        log.info('token is not renewable any more; logging in again before it expires', accessorOf(t));
        return;
      }
      try {
        const r = await renew(t, increment);
        retryMs = opts.minBackoffMs;
        expiresAt = Date.now() + r.ttl * 1000;
        dueAt = Date.now() + r.ttl * 1000 * RENEW_AT;
        renewable = r.renewable;
        if (r.ttl < increment) {
          // Capped by the token's max TTL: no later renewal can help, so log in again near the end.
          log.info('token renewed up to its max TTL', { ...accessorOf(t), ttl: r.ttl });
          renewable = false;
        } else {
          log.debug('token renewed', { ...accessorOf(t), ttl: r.ttl });
        }
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
          log.warn('token could not be renewed; logging in again', { ...accessorOf(t), error: describe(err) });
          return;
        }
        if (Date.now() >= expiresAt - 1000) {
          log.warn('token expired while the server could not be reached; logging in again', { ...accessorOf(t), error: describe(err) });
          return;
        }
        log.warn('renewal failed; will retry', { error: describe(err) });
        dueAt = Date.now() + Math.min(jitter(retryMs), Math.max(0, expiresAt - Date.now() - 1000));
        retryMs = Math.min(retryMs * 2, opts.maxBackoffMs);
      }
    }
  }

  void (async () => {
    while (!stopped) {
      const t = await loginWithBackoff();
      if (!t || stopped) return;
      current = t;
      log.info('authentication successful', { ...accessorOf(t), ttl: t.ttlSeconds });
      try {
        await opts.onToken(t);
      } catch (err) {
        log.error('handing out the new token failed', { error: describe(err) });
      }
      resolveFirst(t.token);
      await watch(t);
    }
  })();

  return {
    token: () => current?.token,
    firstToken,
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

function accessorOf(t: AgentToken): Record<string, string> {
  return t.accessor ? { accessor: t.accessor } : {};
}

/** An error as a line for the log: status and server messages, or the network failure. Never a token. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.status}: ${err.message}`;
  if (err instanceof ConnectionError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}
