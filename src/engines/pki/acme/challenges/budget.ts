/**
 * One validation's time budget. Every step (DNS queries, connections, reads) takes what is
 * left of it, and at the deadline the signal aborts whatever is still open, so a slow or
 * silent peer costs the server one timer, not a hung socket.
 */
import { ChallengeFailed } from './types.js';

export interface Budget {
  readonly signal: AbortSignal;
  /** Milliseconds left, at least 1 so a timer option never means "no timeout". */
  remainingMs(): number;
  /** Rejects with a ChallengeFailed when the budget runs out. */
  readonly expired: Promise<never>;
  end(): void;
}

export function startBudget(timeoutMs: number): Budget {
  const deadline = Date.now() + timeoutMs;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ChallengeFailed('connection', `the validation did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  expired.catch(() => undefined); // a race may already be settled when it fires
  return {
    signal: controller.signal,
    remainingMs: () => Math.max(1, deadline - Date.now()),
    expired,
    end() {
      clearTimeout(timer);
      controller.abort();
    },
  };
}
