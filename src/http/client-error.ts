/**
 * What happens to a connection once node's HTTP parser refuses a request on it (the
 * server's `clientError`). The parser is done with that connection; from here on this file
 * owns it, and two rules hold:
 *
 * - Every complete request before the refused one gets its own answer, in order, before
 *   the connection closes. Pipelined requests that came in the same packet are already
 *   being handled (their answers may wait in answer-queue.ts, or on a durable write), so the
 *   refusal waits until node has written the last of them. Answering at once would cut a
 *   kv write's answer off and tell its client the write failed when it happened.
 * - A LIST or SCAN (which the parser refuses because it does not know the method) is read
 *   to the end of its headers however the client split it into packets, within the header
 *   size and a time bound, then rewritten and answered (list-method.ts).
 */
import type { Server, ServerResponse } from 'node:http';
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import { rawErrorAnswer } from './envelope.js';
import { endWith } from './end-connection.js';
import { answerThroughParser, refusedListStart, rewriteListRequest } from './list-method.js';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
  bytesParsed?: number;
}

export interface ClientErrorOptions {
  /** Where rewritten LIST and SCAN requests are parsed (list-method.ts). */
  listParser: Server;
}

/** How long a LIST's headers may take to arrive once its request line has. */
const LIST_HEADERS_TIMEOUT_MS = 10_000;

/** Connections this file took over; node reports further errors on them (a timeout, the client's FIN), which change nothing. */
const claimed = new WeakSet<Socket>();

/**
 * Runs `then` once node has finished writing the answer of every complete request it parsed
 * on this socket. Node keeps the answer being written as `socket._httpMessage` and queues
 * pipelined ones behind it, moving the next one there when one finishes (its own 'finish'
 * listener, registered before ours): so the socket is idle when that slot is empty. A request
 * whose body never completed is the refused one itself (a truncated body): its answer is the
 * refusal, so it is not waited for.
 */
export function afterEarlierAnswers(socket: Socket, then: () => void): void {
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!pending || !pending.req?.complete) return then();
  const next = () => {
    pending.off('finish', next);
    pending.off('close', next);
    if (!socket.destroyed) afterEarlierAnswers(socket, then);
  };
  pending.on('finish', next);
  pending.on('close', next);
}

function refuse(socket: Socket, status: number, reason: string, message: string, head = false): void {
  afterEarlierAnswers(socket, () => endWith(socket, rawErrorAnswer(status, reason, [message], head)));
}

/** Reads the rest of a LIST or SCAN request's head from the socket, then answers it. */
function collectList(options: ClientErrorOptions, socket: Socket, start: Buffer): void {
  const verb = start.toString('latin1', 0, 4);
  let head = start;
  let done = false;
  const finish = (answer: () => void) => {
    done = true;
    clearTimeout(timer);
    answer();
  };
  const malformed = () => finish(() => refuse(socket, 400, 'Bad Request', `malformed ${verb} request: headers must end with an empty line, every line with CRLF`));
  const check = () => {
    const end = head.indexOf('\r\n\r\n');
    if (end !== -1) {
      const rewritten = rewriteListRequest(head.toString('latin1', 0, end + 2));
      if (rewritten === null) return finish(() => refuse(socket, 400, 'Bad Request', `malformed ${verb} request line`));
      return finish(() => afterEarlierAnswers(socket, () => answerThroughParser(options.listParser, socket, rewritten)));
    }
    // Bare LF line ends, which node's parser refuses in every other request too.
    if (head.includes('\n\n') || head.includes('\n\r\n')) return malformed();
    if (head.length > maxHeaderSize) finish(() => refuse(socket, 431, 'Request Header Fields Too Large', 'request headers too large'));
  };
  const onData = (chunk: Buffer) => {
    if (done) return;
    head = Buffer.concat([head, chunk]);
    check();
  };
  const timer = setTimeout(
    () => finish(() => refuse(socket, 408, 'Request Timeout', `${verb} request headers did not arrive in time`)),
    LIST_HEADERS_TIMEOUT_MS,
  );
  timer.unref();
  socket.on('data', onData);
  // The client stopped sending before its headers ended.
  socket.once('end', () => {
    if (!done) malformed();
  });
  check();
}

/**
 * Detaches node's HTTP server from a socket whose parser failed: the parser is in its error
 * state, so nothing it would make of more bytes matters, and on the client's FIN (over TLS,
 * its close_notify) node would end the socket before the answers decided here are written.
 * The socket keeps flowing, so what still comes is read and dropped. Node's listeners are
 * found by name (bound socketOnData / socketOnEnd in lib/_http_server.js); should those names
 * change, the data listener is still caught by elimination and only the FIN race comes back.
 */
function releaseFromParser(socket: Socket): void {
  for (const listener of socket.listeners('data')) socket.off('data', listener as () => void);
  for (const listener of socket.listeners('end')) {
    if ((listener as () => void).name === 'bound socketOnEnd') socket.off('end', listener as () => void);
  }
}

export function handleClientError(options: ClientErrorOptions, err: ParserError, socket: Socket): void {
  if (claimed.has(socket)) return;
  claimed.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  releaseFromParser(socket);
  const raw = err.rawPacket;
  // Only a HEAD that opens the packet is recognised; an error answer's body is harmless anyway.
  const head = raw?.toString('latin1', 0, 5) === 'HEAD ';
  if (err.code === 'HPE_INVALID_METHOD' && raw && err.bytesParsed !== undefined) {
    const start = refusedListStart(raw, err.bytesParsed);
    if (start) return collectList(options, socket, start);
    return refuse(socket, 405, 'Method Not Allowed', 'unsupported method');
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') return refuse(socket, 431, 'Request Header Fields Too Large', 'request headers too large', head);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return refuse(socket, 408, 'Request Timeout', 'request timed out', head);
  refuse(socket, 400, 'Bad Request', 'malformed HTTP request', head);
}
