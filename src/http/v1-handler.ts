/**
 * `/v1/*` on node:http directly: the body is read, the request handed to core.handle and
 * the answer written as Vault's envelope, with nothing in between. Every API request takes
 * this path, so it skips Fastify's routing, hooks and body parsers: measured in one process
 * against the same core, that saved ~2.5 µs of CPU per GET and ~9 µs per POST, out of a
 * budget of ~14 µs for everything Coffer adds to a bare node:http answer (bench/RESULTS.md).
 * Fastify still serves everything else (the UI, redirects, 404s).
 */
import { errorOrigin } from './error-origin.js';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import { isCofferError } from '../errors.js';
import type { Core } from '../core/core.js';
import type { Logger } from '../logging/logger.js';
import type { ListenerAccess, Response } from '../logical/request.js';
import { queueAnswer } from './answer-queue.js';
import { envelopeJson, errorBody } from './envelope.js';
import type { JsonLimits } from './json-body.js';
import { toLogicalRequest } from './request-adapter.js';
import { decodeChain, FORWARDED_FOR, FORWARDED_TLS_CHAIN, verifyForwarded } from '../core/ha/forwarding.js';
import { createForwarder } from './forward-to-active.js';
import { connectionInfo } from './peer-certificates.js';

export interface V1Options {
  core: Core;
  logger: Logger;
  /** bytes */
  maxRequestSize: number;
  jsonLimits: JsonLimits;
  /** What this listener serves without a token beyond the backends' own lists. */
  listener?: ListenerAccess;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Writes a JSON (or empty) answer; `close` when the rest of the request will not be read.
 * `receivedAt`: performance.now() when the request arrived (see answer-queue.ts).
 */
export function writeAnswer(
  res: ServerResponse,
  receivedAt: number,
  status: number,
  body: string | Buffer | undefined,
  headers?: Record<string, string>,
  close = false,
  contentType = 'application/json',
): void {
  if (res.headersSent || res.destroyed) return;
  // The answer leaves later, outside this request's try/catch: what node would refuse then
  // is refused now, where it becomes a 500.
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new Error(`invalid HTTP status ${status}`);
  // One writeHead with a flat list: node's cheapest way to send headers (no header map).
  const list: string[] = ['cache-control', 'no-store'];
  if (headers) {
    for (const name in headers) {
      validateHeaderName(name);
      validateHeaderValue(name, headers[name]);
      list.push(name, headers[name]!);
    }
  }
  if (close) list.push('connection', 'close');
  if (body !== undefined) list.push('content-type', contentType, 'content-length', String(Buffer.byteLength(body)));
  queueAnswer(res, status, list, body, receivedAt);
}

function answerOf(requestId: string, res: Response): { status: number; body: string | Buffer | undefined; contentType?: string } {
  if (res.file !== undefined) return { status: res.status ?? 200, body: res.file.body, contentType: res.file.contentType };
  if (res.raw !== undefined) return { status: res.status ?? 200, body: JSON.stringify(res.raw) };
  const empty = !res.data && !res.authBlock && !res.warnings?.length && !res.wrapInfo && !res.secret;
  if (empty) return { status: res.status && res.status !== 200 ? res.status : 204, body: undefined };
  return { status: res.status ?? 200, body: envelopeJson(requestId, res) };
}

export function createV1Handler(opts: V1Options): RequestListener {
  const { core, logger, maxRequestSize, jsonLimits, listener } = opts;

  const fail = (res: ServerResponse, receivedAt: number, requestId: string, err: unknown): void => {
    if (isCofferError(err)) return writeAnswer(res, receivedAt, err.status, errorBody(err.messages));
    logger.error('unexpected error while handling a request', { request_id: requestId, error: (err as Error)?.message ?? String(err), at: errorOrigin(err) });
    writeAnswer(res, receivedAt, 500, errorBody(['internal error']));
  };

  const forward = createForwarder(core, logger);

  const run = async (req: IncomingMessage, res: ServerResponse, receivedAt: number, body: Buffer | undefined): Promise<void> => {
    const id = randomUUID();
    // A standby passes the client's address on; believed only with the cluster's signature.
    const forwardedFrom = req.headers[FORWARDED_FOR] === undefined ? undefined : verifyForwarded(core.forwardingKey, { method: req.method ?? 'GET', url: req.url ?? '/v1/', headers: req.headers, body });
    const remoteAddress = forwardedFrom ?? req.socket.remoteAddress;
    // The client's certificates as the standby received them, believed with the same signature.
    const forwardedChain = forwardedFrom === undefined ? undefined : decodeChain(req.headers[FORWARDED_TLS_CHAIN]);
    const connection = forwardedChain ? { tls: true, peerCertificates: () => forwardedChain } : connectionInfo(req.socket);
    try {
      const logical = toLogicalRequest(
        { id, method: req.method ?? 'GET', url: req.url ?? '/v1/', headers: req.headers, body, remoteAddress, connection },
        jsonLimits,
        listener,
      );
      const answer = await core.handle(logical);
      const { status, body: text, contentType } = answerOf(id, answer);
      writeAnswer(res, receivedAt, status, text, answer.headers, false, contentType);
    } catch (err) {
      if (isCofferError(err) && err.kind === 'Standby') return forward(req, res, receivedAt, body, remoteAddress ?? '', forwardedFrom !== undefined);
      fail(res, receivedAt, id, err);
    }
  };

  const tooLarge = (res: ServerResponse, receivedAt: number) => writeAnswer(res, receivedAt, 413, errorBody(['request body too large']), undefined, true);

  return (req, res) => {
    const receivedAt = performance.now();
    const declared = req.headers['content-length'];
    // No body (no length, not chunked): nothing to wait for.
    if (declared === undefined && req.headers['transfer-encoding'] === undefined) {
      void run(req, res, receivedAt, undefined);
      return;
    }
    if (declared !== undefined && Number(declared) > maxRequestSize) {
      req.resume();
      tooLarge(res, receivedAt);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxRequestSize) {
        refused = true;
        chunks.length = 0;
        tooLarge(res, receivedAt);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      void run(req, res, receivedAt, chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    // A client that goes away mid-body gets no answer; there is nobody to read it.
    req.on('error', () => undefined);
  };
}
