/**
 * Sending fuzz requests: through node:http (which sends paths and methods as given, unlike
 * fetch) and over raw sockets; parsing what comes back; describing a request for a report.
 */
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { FuzzRequest } from './requests.js';

export interface HttpOutcome {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  /** Set when no HTTP answer arrived: a reset, a refused write, or the timeout. */
  error?: string;
  ms: number;
}

export function newAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** One request; resolves (never rejects) with the answer or why there was none. */
export function sendHttp(address: string, req: FuzzRequest, agent: Agent, timeoutMs: number): Promise<HttpOutcome> {
  const url = new URL(address);
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Omit<HttpOutcome, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...o, ms: Date.now() - started });
    };
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) {
      if (req.chunked) headers['Transfer-Encoding'] = 'chunked';
      else headers['Content-Length'] = String(req.body.length);
    }
    let client: ReturnType<typeof httpRequest>;
    try {
      client = httpRequest({ host: url.hostname, port: Number(url.port), method: req.method, path: req.target, headers, agent });
    } catch (e) {
      // The generator made something Node's client refuses to send: a bug in the test.
      throw new Error(`node:http refused to send fuzz request #${req.n} (${req.method} ${req.target.slice(0, 200)}): ${(e as Error).message}`);
    }
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${timeoutMs} ms` });
      client.destroy();
    }, timeoutMs);
    client.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ error: `response stream error: ${e.message}` }));
      res.on('aborted', () => finish({ error: 'response aborted' }));
    });
    client.on('error', (e: NodeJS.ErrnoException) => finish({ error: `${e.code ?? ''} ${e.message}`.trim() }));
    if (req.body !== undefined) {
      if (req.chunked) {
        const half = Math.floor(req.body.length / 2);
        client.write(req.body.subarray(0, half));
        client.end(req.body.subarray(half));
      } else client.end(req.body);
    } else client.end();
  });
}

export interface RawOutcome {
  data: Buffer;
  /** 'end' (the server closed cleanly), 'error:<code>', or 'timeout'. */
  ending: string;
}

/**
 * Writes `parts` to a fresh connection (with `gapMs` between them), half-closes, and collects
 * everything until the server closes the connection or `timeoutMs` passes.
 */
export function rawExchange(address: string, parts: (string | Buffer)[], opts: { gapMs?: number; timeoutMs?: number; halfClose?: boolean } = {}): Promise<RawOutcome> {
  const url = new URL(address);
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
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
    socket.on('connect', async () => {
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
 * What was wrong with an answer's status or body, or null. `sealedOk` allows 503. `health`
 * marks sys/health, which answers its own status codes (503 sealed, 501 uninitialized) with
 * the health body rather than `{"errors":[...]}`, as Vault does.
 */
export function answerProblem(status: number, body: string, opts: { head: boolean; sealedOk: boolean; health?: boolean }): string | null {
  if (status >= 500 && !(opts.sealedOk && status === 503)) return `answered ${status}`;
  if (status === 204 || status === 304) return body === '' ? null : `answered ${status} with a body`;
  if (opts.head) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `answered ${status} with a body that is not JSON: ${JSON.stringify(body.slice(0, 200))}`;
  }
  // kv-v2 answers a deleted or destroyed version with 404 and the full envelope (its metadata), as Vault does.
  const envelope404 = status === 404 && parsed !== null && typeof parsed === 'object' && 'request_id' in parsed && 'data' in parsed;
  if (status >= 400 && !opts.health && !envelope404) {
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray(errors) || !errors.every((e) => typeof e === 'string')) {
      return `answered ${status} without {"errors":[...]}: ${JSON.stringify(body.slice(0, 200))}`;
    }
  }
  return null;
}

const printable = (s: string, max: number) => {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
  return JSON.stringify(cut);
};

/** One line naming a request exactly enough to replay it. */
export function describeRequest(req: FuzzRequest, rootToken: string): string {
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${printable(v.split(rootToken).join('<root>'), 80)}`)
    .join(', ');
  const body = req.body === undefined ? 'no body' : `${req.bodyKind} body ${printable(req.body.toString('utf8'), 300)}${req.chunked ? ' (chunked)' : ''}`;
  return `#${req.n} [${req.phase}] ${req.method} ${printable(req.target, 300)} {${headers}} ${body}`;
}

export function describeRaw(parts: (string | Buffer)[], rootToken: string): string {
  const text = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))).toString('latin1');
  return printable(text.split(rootToken).join('<root>'), 400);
}
