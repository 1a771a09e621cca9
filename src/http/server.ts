/**
 * The HTTP face of the Core: `/v1/*` becomes a logical request for core.handle and the
 * answer is written as Vault's envelope. Engines never see Fastify.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isCofferError } from '../errors.js';
import type { Core } from '../core/core.js';
import type { Logger } from '../logging/logger.js';
import { envelope, errorBody } from './envelope.js';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from './json-body.js';
import { handleClientError } from './list-method.js';
import { toLogicalRequest } from './request-adapter.js';
import { uiPlaceholder } from './ui.js';

export interface HttpServerOptions {
  core: Core;
  logger: Logger;
  /** bytes; Vault's default is 32 MiB */
  maxRequestSize?: number;
  jsonLimits?: JsonLimits;
  tls?: { cert: Buffer; key: Buffer };
  ui?: boolean;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function send(reply: FastifyReply, status: number, body: string | undefined): FastifyReply {
  reply.code(status).header('cache-control', 'no-store');
  if (body === undefined) return reply.send();
  return reply.header('content-type', 'application/json').send(body);
}

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const { core, logger } = opts;
  const limits = opts.jsonLimits ?? DEFAULT_JSON_LIMITS;
  const app = Fastify({
    logger: false,
    bodyLimit: opts.maxRequestSize ?? 32 * 1024 * 1024,
    genReqId: () => randomUUID(),
    requestTimeout: 90_000,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    clientErrorHandler(err: Error, socket: Socket) {
      handleClientError(app.server as Server, err, socket);
    },
    // The router refuses a path with a bad percent escape before any route runs.
    frameworkErrors(err, _request, reply) {
      const bad = (err as { code?: string }).code === 'FST_ERR_BAD_URL';
      send(reply, 400, errorBody([bad ? 'invalid request path: bad percent-encoding' : 'invalid request']));
    },
  });

  // Node answers an Expect it does not know with a bare 417; say why, in the same shape
  // as every other error.
  app.server.on('checkExpectation', (_req, res) => {
    const body = errorBody(['unsupported Expect header: only 100-continue is understood']);
    res.writeHead(417, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });

  app.server.on('connect', (_req, socket: Socket) => {
    const body = errorBody(['unsupported method CONNECT']);
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  // An empty Content-Type header means no type at all, not an unsupported one.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['content-type'] === '') delete request.headers['content-type'];
    done();
  });
  app.removeAllContentTypeParsers();
  // The Go client sends JSON with no Content-Type at all; every body is read raw and
  // parsed as JSON by us, with our limits.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.route({
    method: METHODS,
    url: '/v1/*',
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const logical = toLogicalRequest(
        {
          id: request.id,
          method: request.method,
          url: request.raw.url ?? '/v1/',
          headers: request.headers,
          body: request.body as Buffer | undefined,
          remoteAddress: request.socket.remoteAddress,
        },
        limits,
      );
      const res = await core.handle(logical);
      if (res.headers) for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
      if (res.raw !== undefined) return send(reply, res.status ?? 200, JSON.stringify(res.raw));
      const empty = !res.data && !res.authBlock && !res.warnings?.length && !res.wrapInfo && !res.secret;
      if (empty) return send(reply, res.status && res.status !== 200 ? res.status : 204, undefined);
      return send(reply, res.status ?? 200, JSON.stringify(envelope(request.id, res)));
    },
  });

  if (opts.ui !== false) {
    app.get('/', (_req, reply) => reply.redirect('/ui/', 307));
    app.get('/ui', (_req, reply) => reply.redirect('/ui/', 307));
    app.get('/ui/*', (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(uiPlaceholder));
  }

  app.setNotFoundHandler((_req, reply) => send(reply, 404, errorBody([])));

  app.setErrorHandler((err: unknown, request, reply) => {
    if (isCofferError(err)) return send(reply, err.status, errorBody(err.messages));
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, errorBody(['request body too large']));
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return send(reply, e.statusCode, errorBody([e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ? 'invalid content length' : 'invalid request']));
    }
    logger.error('unexpected error while handling a request', { request_id: request.id, error: e.message ?? String(err) });
    return send(reply, 500, errorBody(['internal error']));
  });

  return app;
}
