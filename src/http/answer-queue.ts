/**
 * Answers leave together at the end of the event-loop turn (setImmediate), not one by one as
 * each request finishes. Under load one turn finishes many requests: written back to back,
 * their answers reach clients that are already awake, where writing each as it came woke a
 * client (a cross-core wake-up in the kernel, inside our writev) once per answer. An idle
 * server's answer waits only for the end of the turn it was made in: microseconds.
 * Measured in bench/RESULTS.md (session 4): server CPU per transit encrypt 49 → 42 µs.
 *
 * Callers validate status and headers before queueing (see writeAnswer): a flush runs outside
 * any request's error handling, so what still fails there only drops that connection.
 *
 * The delay must cover `res.end()` itself: node's end() fully uncorks the socket, so corking
 * the sockets and uncorking them later sends each answer at once all the same.
 */
import type { ServerResponse } from 'node:http';

interface Answer {
  res: ServerResponse;
  status: number;
  /** Flat header list: name, value, name, value… */
  headers: string[];
  body: string | undefined;
}

let queue: Answer[] = [];
let scheduled = false;

function flush(): void {
  const answers = queue;
  queue = [];
  scheduled = false;
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

/** Sends the answer at the end of this event-loop turn, with the turn's other answers. */
export function queueAnswer(res: ServerResponse, status: number, headers: string[], body: string | undefined): void {
  queue.push({ res, status, headers, body });
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
