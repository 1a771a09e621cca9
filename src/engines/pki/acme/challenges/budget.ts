/**
 * One validation's time budget. Every step (DNS queries, connections, reads) takes what is
 * left of it, and at the deadline the signal aborts whatever is still open, so a slow or
 * silent peer costs the server one timer, not a hung socket.
 */
import { ChallengeFailed, type ChallengeErrorType } from './types.js';

export interface Budget {
  readonly signal: AbortSignal;
  /** Milliseconds left, at least 1 so a timer option never means "no timeout". */
  remainingMs(): number;
  /** Rejects with a ChallengeFailed when the budget runs out. */
  readonly expired: Promise<never>;
  /** Names the step under way, so running out of time is reported as that step's failure (a slow DNS server is a `dns` problem). */
  doing(type: ChallengeErrorType, what: string): void;
  end(): void;
}

export function startBudget(timeoutMs: number): Budget {
  const deadline = Date.now() + timeoutMs;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let step: { type: ChallengeErrorType; what: string } = { type: 'connection', what: 'starting' };
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ChallengeFailed(step.type, `the validation did not finish within ${timeoutMs} ms (while ${step.what})`));
    }, timeoutMs);
  });
  expired.catch(() => undefined); // a race may already be settled when it fires
  return {
    signal: controller.signal,
    remainingMs: () => Math.max(1, deadline - Date.now()),
    expired,
    doing(type, what) {
      step = { type, what };
    },
    end() {
      clearTimeout(timer);
      controller.abort();
    },
  };
}
