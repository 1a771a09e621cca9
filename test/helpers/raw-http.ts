/**
 * HTTP/1.1 over a bare socket, for requests that fetch and node:http would refuse to send or
 * would clean up first (invented methods, dot segments, malformed lines, oversized headers),
 * and for reading exactly what the server wrote back.
 */
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawOutcome {
  data: Buffer;
  /** 'end' (the server closed cleanly), 'error:<code>', or 'timeout'. */
  ending: string;
}

/**
 * Writes `parts` (strings as Latin-1, one byte a character) to a fresh connection, with
 * `gapMs` between them, half-closes unless `halfClose` is false, and collects everything
 * until the server closes the connection or `timeoutMs` passes. Never rejects: a socket
 * error is reported in `ending`. An https address is spoken to over TLS, trusting any
 * certificate: these tests are about the bytes inside.
 */
export function rawExchange(address: string, parts: (string | Buffer)[], opts: { gapMs?: number; timeoutMs?: number; halfClose?: boolean } = {}): Promise<RawOutcome> {
  const url = new URL(address);
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    const tls = url.protocol === 'https:';
    const socket = tls
      ? tlsConnect({ port: Number(url.port), host: url.hostname, rejectUnauthorized: false })
      : connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (ending: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), ending });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => finish('end'));
    socket.on('close', () => finish('end'));
    socket.on('error', (e: NodeJS.ErrnoException) => finish(`error:${e.code ?? e.message}`));
    socket.on(tls ? 'secureConnect' : 'connect', async () => {
      for (let i = 0; i < parts.length; i++) {
        if (socket.destroyed) return;
        socket.write(typeof parts[i] === 'string' ? Buffer.from(parts[i] as string, 'latin1') : (parts[i] as Buffer));
        if (opts.gapMs && i < parts.length - 1) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.halfClose !== false && !socket.destroyed) socket.end();
    });
  });
}

export interface ParsedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The HTTP/1.1 responses in `data`, in order (answers to HEAD are not expected: their
 * Content-Length announces no body). `complete` is false when the bytes ended in the middle of
 * a response or held something that is not HTTP.
 */
export function parseResponses(data: Buffer): { responses: ParsedResponse[]; complete: boolean } {
  const text = data.toString('latin1');
  const responses: ParsedResponse[] = [];
  let pos = 0;
  while (pos < text.length) {
    const headEnd = text.indexOf('\r\n\r\n', pos);
    if (headEnd === -1) return { responses, complete: false };
    const lines = text.slice(pos, headEnd).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]!);
    if (!m) return { responses, complete: false };
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    pos = headEnd + 4;
    if (status === 100) continue;
    let body = '';
    if (status !== 204 && status !== 304) {
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        for (;;) {
          const lineEnd = text.indexOf('\r\n', pos);
          if (lineEnd === -1) return { responses, complete: false };
          const size = parseInt(text.slice(pos, lineEnd), 16);
          if (!Number.isFinite(size)) return { responses, complete: false };
          pos = lineEnd + 2;
          if (size === 0) {
            const trailerEnd = text.indexOf('\r\n', pos);
            if (trailerEnd === -1) return { responses, complete: false };
            pos = trailerEnd + 2;
            break;
          }
          if (pos + size > text.length) return { responses, complete: false };
          body += text.slice(pos, pos + size);
          pos += size + 2;
        }
      } else if (headers['content-length'] !== undefined) {
        const len = Number(headers['content-length']);
        if (!Number.isInteger(len) || pos + len > text.length) return { responses, complete: false };
        body = text.slice(pos, pos + len);
        pos += len;
      } else {
        body = text.slice(pos);
        pos = text.length;
      }
    }
    responses.push({ status, headers, body: Buffer.from(body, 'latin1').toString('utf8') });
  }
  return { responses, complete: true };
}

/**
 * One request written as `text` (UTF-8) to a fresh connection, which is not half-closed;
 * resolves with everything the server sent (as Latin-1) once it closes the connection or
 * 5 s pass, and rejects when the socket fails.
 */
export async function rawText(address: string, text: string): Promise<string> {
  const out = await rawExchange(address, [Buffer.from(text, 'utf8')], { halfClose: false, timeoutMs: 5000 });
  if (out.ending.startsWith('error:')) throw new Error(`raw HTTP exchange with ${address} failed: ${out.ending.slice('error:'.length)}`);
  return out.data.toString('latin1');
}
