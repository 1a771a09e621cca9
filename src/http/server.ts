/**
 * The HTTP face of the Core. `/v1/*` goes to the v1 handler (v1-handler.ts), straight on
 * node:http; Fastify serves the rest (UI, redirects). Engines never see either.
 */
import { errorOrigin } from './error-origin.js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { isCofferError } from '../errors.js';
import type { Core } from '../core/core.js';
import type { Logger } from '../logging/logger.js';
import type { ListenerAccess } from '../logical/request.js';
import { errorBody } from './envelope.js';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from './json-body.js';
import { handleClientError } from './client-error.js';
import { createListParser } from './list-method.js';
import { DEFAULT_EVENT_STREAM_LIMITS, type EventStreamLimits } from './event-stream.js';
import { createEventsUpgrade } from './events-upgrade.js';
import { uiPlaceholder } from './ui.js';
import { rememberChain } from './peer-certificates.js';
import { createV1Handler, type RequestListener } from './v1-handler.js';

export interface HttpServerOptions {
  core: Core;
  logger: Logger;
  /** bytes; Vault's default is 32 MiB */
  maxRequestSize?: number;
  jsonLimits?: JsonLimits;
  tls?: { cert: Buffer; key: Buffer; clientCerts?: ClientCertPolicy };
  ui?: boolean;
  /** Unauthenticated rekey and generate-root on this listener; absent: neither. */
  listener?: ListenerAccess;
  /** Queue bounds and token re-checks of sys/events/subscribe streams. */
  eventStreams?: Partial<EventStreamLimits>;
}

/**
 * Client certificates on a TLS listener. `request` (the default, as Vault): ask for one, accept
 * any or none, and let the cert auth method judge it against its own CAs. `require`: the
 * handshake fails without one that chains to `ca` (the system CAs when absent). `none`: never ask.
 */
export interface ClientCertPolicy {
  mode: 'request' | 'require' | 'none';
  ca?: Buffer;
}

function tlsOptions(tls: NonNullable<HttpServerOptions['tls']>) {
  const policy = tls.clientCerts ?? { mode: 'request' };
  return {
    cert: tls.cert,
    key: tls.key,
    requestCert: policy.mode !== 'none',
    rejectUnauthorized: policy.mode === 'require',
    ...(policy.ca ? { ca: policy.ca } : {}),
  };
}

function send(reply: FastifyReply, status: number, body: string | undefined): FastifyReply {
  reply.code(status).header('cache-control', 'no-store');
  if (body === undefined) return reply.send();
  return reply.header('content-type', 'application/json').send(body);
}

// Fastify's defaults, which it applies only to servers it creates itself.
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
const REQUEST_TIMEOUT_MS = 90_000;

/**
 * A TLS client that sends its requests and then its close_notify still gets every answer, as
 * over plain TCP: by default node ends a TLS connection on the close_notify and drops the
 * answers still being computed (seen with pipelined requests and Expect: 100-continue). Only
 * connections past the handshake are half-open: a server-wide allowHalfOpen also kept every
 * failed handshake's socket open forever, one descriptor leaked per client that refused the
 * certificate.
 */
function allowHalfClosedTls(server: Server): void {
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('secureConnection', (socket: Socket) => {
    socket.allowHalfOpen = true;
  });
}

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const { core, logger } = opts;
  const maxRequestSize = opts.maxRequestSize ?? 32 * 1024 * 1024;
  const v1 = createV1Handler({
    core,
    logger,
    maxRequestSize,
    jsonLimits: opts.jsonLimits ?? DEFAULT_JSON_LIMITS,
    listener: opts.listener,
  });
  let listParser: Server | undefined;
  let closeStreams = () => undefined as void;
  const app = Fastify({
    logger: false,
    bodyLimit: maxRequestSize,
    genReqId: () => randomUUID(),
    // The API goes straight to the v1 handler; Fastify gets the rest.
    serverFactory: (fastifyHandler) => {
      const route: RequestListener = (req, res) => (req.url !== undefined && req.url.startsWith('/v1/') ? v1(req, res) : fastifyHandler(req, res));
      const server = opts.tls ? createHttpsServer(tlsOptions(opts.tls), route) : createServer(route);
      if (opts.tls) allowHalfClosedTls(server as Server);
      if (opts.tls && opts.tls.clientCerts?.mode !== 'none') server.on('secureConnection', rememberChain);
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      listParser = createListParser(route);
      const upgrade = createEventsUpgrade({
        core,
        logger,
        jsonLimits: opts.jsonLimits ?? DEFAULT_JSON_LIMITS,
        listener: opts.listener,
        limits: { ...DEFAULT_EVENT_STREAM_LIMITS, ...opts.eventStreams },
        route,
      });
      server.on('upgrade', upgrade);
      closeStreams = () => upgrade.closeAll();
      return server;
    },
    clientErrorHandler(err: Error, socket: Socket) {
      handleClientError({ listParser: listParser! }, err, socket);
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

  if (opts.ui !== false) {
    app.get('/', (_req, reply) => reply.redirect('/ui/', 307));
    app.get('/ui', (_req, reply) => reply.redirect('/ui/', 307));
    app.get('/ui/*', (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(uiPlaceholder));
  }

  // Upgraded sockets are no longer the HTTP server's to close: end the event streams first.
  app.addHook('preClose', (done) => {
    closeStreams();
    done();
  });

  app.setNotFoundHandler((_req, reply) => send(reply, 404, errorBody([])));

  app.setErrorHandler((err: unknown, request, reply) => {
    if (isCofferError(err)) return send(reply, err.status, errorBody(err.messages));
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, errorBody(['request body too large']));
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return send(reply, e.statusCode, errorBody([e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ? 'invalid content length' : 'invalid request']));
    }
    logger.error('unexpected error while handling a request', { request_id: request.id, error: e.message ?? String(err), at: errorOrigin(err) });
    return send(reply, 500, errorBody(['internal error']));
  });

  return app;
}
