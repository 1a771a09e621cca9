/**
 * `LIST` (hvac, node-vault, older Vault CLIs) and `SCAN` (OpenBao's recursive listing) as
 * HTTP methods. Node's parser refuses methods it does not know before any handler runs;
 * rather than wrap every connection in a rewriting stream (a fifth of the throughput,
 * measured), client-error.ts catches that one refusal and hands the request's head here: its
 * line is rewritten to `GET …?list=true` with `Connection: close`, parsed through a one-shot
 * in-memory connection carrying the real peer's address, and the answer is written to the
 * real socket. The hot path stays native.
 *
 * The one-shot connection goes to a plain-HTTP parser server of its own, never to the
 * listener itself: an https.Server takes any connection it is handed for a TLS handshake,
 * and the rewritten request is plaintext (that was LIST over TLS answering nothing).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { endWith } from './end-connection.js';
import { rawErrorAnswer } from './envelope.js';

/** `LIST /v1/x?a=1 HTTP/1.1` + headers → `GET /v1/x?a=1&list=true HTTP/1.1` + `Connection: close`. */
export function rewriteListRequest(head: string): string | null {
  const lineEnd = head.indexOf('\r\n');
  if (lineEnd === -1) return null;
  const match = /^(LIST|SCAN) (\S+) (HTTP\/1\.[01])$/.exec(head.slice(0, lineEnd));
  if (!match) return null;
  const [, verb, target, version] = match;
  const sep = target!.includes('?') ? '&' : '?';
  const flag = verb === 'LIST' ? 'list=true' : 'scan=true';
  const headers = head
    .slice(lineEnd + 2)
    .split('\r\n')
    .filter((h) => h !== '' && !/^(connection|content-length|transfer-encoding)\s*:/i.test(h));
  return `GET ${target}${sep}${flag} ${version}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`;
}

/**
 * The letters of each rewritable method that node's parser accepts before it refuses the
 * next one (it still hopes for LINK after `LI`, for SEARCH after `S`): the refusal points
 * at the first letter after these.
 */
const ACCEPTED_PREFIX: Record<string, string> = { S: 'LI', C: 'S' };

/**
 * Where the refused request begins, given the chunk the parser was reading and the offset
 * of the byte it refused. The method's first letters may sit earlier in the same chunk
 * (after a pipelined request) or in an earlier chunk the parser already consumed (`LI`,
 * then `ST /v1/…`): those are put back. Null when the refusal is not one of a LIST or SCAN.
 */
export function refusedListStart(chunk: Buffer, refusedAt: number): Buffer | null {
  const refused = String.fromCharCode(chunk[refusedAt] ?? 0);
  const prefix = ACCEPTED_PREFIX[refused];
  if (prefix === undefined || refusedAt < 0) return null;
  const inChunk = Math.min(refusedAt, prefix.length);
  const missing = prefix.length - inChunk;
  if (chunk.toString('latin1', refusedAt - inChunk, refusedAt) !== prefix.slice(missing)) return null;
  return Buffer.concat([Buffer.from(prefix.slice(0, missing), 'latin1'), chunk.subarray(refusedAt - inChunk)]);
}

/** A plain-HTTP server that only ever parses rewritten LIST and SCAN requests. */
export function createListParser(route: RequestListener): Server {
  const parser = createServer(route);
  // What it is fed was rewritten from a request line and headers already checked here.
  parser.on('clientError', (_err: Error, conn: Duplex) => conn.end(rawErrorAnswer(400, 'Bad Request', ['malformed HTTP request'])));
  return parser;
}

/** Feeds `request` to `parser` as a connection of its own; what it answers goes to `socket`. */
export function answerThroughParser(parser: Server, socket: Socket, request: string): void {
  let replied = false;
  const conn = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      replied = true;
      if (socket.writable) socket.write(chunk, () => done());
      else done();
    },
    final(done) {
      endWith(socket, undefined);
      done();
    },
    destroy(err, done) {
      if (!replied && !socket.destroyed) socket.destroy();
      done(err);
    },
  });
  // Audit and CIDR bindings read the peer address from the connection, and a request over
  // TLS must still look encrypted.
  for (const key of ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort', 'encrypted'] as const) {
    Object.defineProperty(conn, key, { value: (socket as unknown as Record<string, unknown>)[key] });
  }
  const tls = socket as Socket & { getPeerCertificate?: (detailed: boolean) => unknown };
  if (typeof tls.getPeerCertificate === 'function') Object.defineProperty(conn, 'getPeerCertificate', { value: (detailed: boolean) => tls.getPeerCertificate!(detailed) });
  Object.assign(conn, { setTimeout: () => conn, setNoDelay: () => conn, setKeepAlive: () => conn });
  socket.on('close', () => conn.destroy());
  parser.emit('connection', conn);
  conn.push(Buffer.from(request, 'latin1'));
}
