/**
 * Retries for the runner's calls to the server, as Vault Agent's template retry stanza
 * does by default: up to 12 attempts, backoff from 250 ms doubling to 1 minute. Only
 * failures a retry can fix are retried (connection errors, 5xx, 429); a 403 or 404 is the
 * answer and comes back at once.
 */
import { ApiError, ConnectionError } from '../../api/client.js';
import type { Logger } from '../../logging/logger.js';

const RETRY = { attempts: 12, initialMs: 250, maxMs: 60_000 };

function retryable(e: unknown): boolean {
  if (e instanceof ApiError) return e.status >= 500 || e.status === 429 || e.status === 412;
  return e instanceof ConnectionError || (e instanceof Error && /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up/.test(e.message));
}

export async function withRetries<T>(fn: () => Promise<T>, o: { signal: AbortSignal; logger: Logger; label: string }): Promise<T> {
  let delay = RETRY.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e) || attempt >= RETRY.attempts || o.signal.aborted) throw e;
      o.logger.warn('request failed; retrying', { what: o.label, attempt, retry_in_ms: delay, error: (e as Error).message });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        o.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      if (o.signal.aborted) throw e;
      delay = Math.min(delay * 2, RETRY.maxMs);
    }
  }
}
