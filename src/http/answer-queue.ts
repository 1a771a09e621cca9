/**
 * Answers computed on the spot leave together at the end of the event-loop turn
 * (setImmediate), not one by one as each request finishes. Under load one turn finishes many
 * requests: written back to back, their answers reach clients that are already awake, where
 * writing each as it came woke a client (a cross-core wake-up in the kernel, inside our
 * writev) once per answer. An answer whose request waited on I/O (a durable write, a login)
 * goes out at once, with whatever is queued: its client has waited long enough, and holding
 * it to the end of a busy turn slowed durable writes by ~15 %. Measured in bench/RESULTS.md
 * (session 4).
 *
 * Callers validate status and headers before queueing (see writeAnswer): a flush runs outside
 * any request's error handling, so what still fails there only drops that connection.
 *
 * The delay must cover `res.end()` itself: node's end() fully uncorks the socket, so corking
 * the sockets and uncorking them later sends each answer at once all the same.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A request answered later than this after it arrived waited on something: its answer goes out at once. */
const WAITED_MS = 1;

interface Answer {
  res: ServerResponse;
  status: number;
  /** Flat header list: name, value, name, value… */
  headers: string[];
  body: string | Buffer | undefined;
}

let queue: Answer[] = [];
let scheduled = false;

function flush(): void {
  const answers = queue;
  queue = [];
  for (const { res, status, headers, body } of answers) {
    // A client that went away meanwhile gets nothing; one answered elsewhere (a timeout) keeps that answer.
    if (res.headersSent || res.destroyed) continue;
    try {
      res.writeHead(status, headers);
      if (body === undefined) res.end();
      else res.end(body);
    } catch {
      res.destroy();
    }
  }
}

const flushAtTurnEnd = () => {
  scheduled = false;
  flush();
};

/**
 * Sends the answer at the end of this turn with the turn's others, or now (with those queued
 * so far) when its request arrived more than WAITED_MS ago. `receivedAt`: performance.now()
 * when the request arrived.
 */
export function queueAnswer(res: ServerResponse, status: number, headers: string[], body: string | Buffer | undefined, receivedAt: number): void {
  queue.push({ res, status, headers, body });
  if (performance.now() - receivedAt > WAITED_MS) return flush();
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAtTurnEnd);
  }
}
