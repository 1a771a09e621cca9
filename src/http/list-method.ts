/**
 * `LIST` (hvac, node-vault, older Vault CLIs) and `SCAN` (OpenBao's recursive listing) as
 * HTTP methods. Node's parser refuses
 * methods it does not know before any handler runs; rather than wrap every connection in a
 * rewriting stream (a fifth of the throughput, measured), we catch that one refusal: the
 * refused request line is rewritten to `GET …?list=true` with `Connection: close`, parsed by
 * the same server through a one-shot in-memory connection carrying the real peer's
 * address, and its answer is written to the real socket. The hot path stays native.
 */
import type { Server } from 'node:http';
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** A whole answer written straight to a socket the parser gave up on; HEAD gets no body. */
function plainAnswer(status: number, reason: string, messages: string[], head = false): string {
  const body = JSON.stringify({ errors: messages });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`
  );
}

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

function oneShotConnection(server: Server, socket: Socket, request: string): void {
  let replied = false;
  const conn = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      replied = true;
      if (socket.writable) socket.write(chunk, () => done());
      else done();
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(err, done) {
      if (!replied && !socket.destroyed) socket.destroy();
      done(err);
    },
  });
  // Audit and CIDR bindings read the peer address from the connection.
  for (const key of ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort', 'encrypted'] as const) {
    Object.defineProperty(conn, key, { value: (socket as unknown as Record<string, unknown>)[key] });
  }
  Object.assign(conn, { setTimeout: () => conn, setNoDelay: () => conn, setKeepAlive: () => conn });
  socket.on('close', () => conn.destroy());
  server.emit('connection', conn);
  conn.push(Buffer.from(request, 'latin1'));
}

export function handleClientError(server: Server, err: ParserError, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const raw = err.rawPacket;
  const verb = raw?.subarray(0, 5).toString('latin1');
  const head = verb === 'HEAD ';
  if (err.code === 'HPE_INVALID_METHOD' && raw && (verb === 'LIST ' || verb === 'SCAN ')) {
    const text = raw.toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    const rewritten = headEnd === -1 ? null : rewriteListRequest(text.slice(0, headEnd + 2));
    if (!rewritten) {
      socket.end(plainAnswer(400, 'Bad Request', [`${verb!.trim()} request headers must arrive in one packet and be well formed`]));
      return;
    }
    oneShotConnection(server, socket, rewritten);
    return;
  }
  if (err.code === 'HPE_INVALID_METHOD') {
    socket.end(plainAnswer(405, 'Method Not Allowed', ['unsupported method'], head));
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    socket.end(plainAnswer(431, 'Request Header Fields Too Large', ['request headers too large'], head));
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end(plainAnswer(408, 'Request Timeout', ['request timed out'], head));
    return;
  }
  socket.end(plainAnswer(400, 'Bad Request', ['malformed HTTP request'], head));
}
