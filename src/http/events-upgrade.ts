/**
 * HTTP upgrades on the API listener (plain or TLS). An upgrade to
 * /v1/sys/events/subscribe/<type> goes through core.handle as a `subscribe` request (token,
 * capability, audit, seal: all as for any request); only when that succeeds is the
 * WebSocket accepted, subscribed before the 101 leaves so no event after it is missed.
 * Every other upgrade (h2c, a WebSocket anywhere else) is served as the plain request it
 * also is, as before this listener existed.
 */
import { randomUUID } from 'node:crypto';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Core } from '../core/core.js';
import { parseSubscription } from '../core/events/subscription.js';
import { isCofferError, sealedError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { ListenerAccess } from '../logical/request.js';
import { rawErrorAnswer } from './envelope.js';
import { EventStream, type EventStreamLimits } from './event-stream.js';
import type { JsonLimits } from './json-body.js';
import { toLogicalRequest } from './request-adapter.js';
import type { RequestListener } from './v1-handler.js';

/** A shutdown gives each subscriber this long to see the close frame. */
const SHUTDOWN_GRACE_MS = 200;
const PING_INTERVAL_MS = 30_000;
const SUBSCRIBE_PREFIX = '/v1/sys/events/subscribe';
const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export interface EventsUpgradeOptions {
  core: Core;
  logger: Logger;
  jsonLimits: JsonLimits;
  listener?: ListenerAccess;
  limits: EventStreamLimits;
  /** The listener's ordinary request handler, for upgrades that are not event subscriptions. */
  route: RequestListener;
}

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function refuse(socket: Duplex, status: number, messages: string[]): void {
  socket.end(rawErrorAnswer(status, REASONS[status] ?? 'Error', messages));
}

/** The upgrade request answered as an ordinary one on its socket, which then closes. */
function serveAsRequest(route: RequestListener, req: IncomingMessage, socket: Duplex): void {
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) {
    refuse(socket, 400, ['a request asking for a protocol upgrade cannot carry a body here']);
    return;
  }
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  route(req, res);
}

export function createEventsUpgrade(opts: EventsUpgradeOptions): UpgradeListener & { closeAll(): void } {
  const { core, logger, limits } = opts;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 4096 });
  const streams = new Set<EventStream>();
  let timer: NodeJS.Timeout | undefined;
  let lastPing = Date.now();
  const watchTokens = () => {
    if (timer || streams.size === 0) return;
    timer = setInterval(() => {
      for (const s of streams) void s.checkToken();
      if (Date.now() - lastPing >= PING_INTERVAL_MS) {
        lastPing = Date.now();
        for (const s of streams) s.ping();
      }
      if (streams.size === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    }, limits.tokenCheckMs);
    timer.unref();
  };

  const subscribe = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const id = randomUUID();
    try {
      checkHandshake(req);
      const logical = toLogicalRequest(
        { id, method: 'GET', url: req.url ?? '/v1/', headers: req.headers, body: undefined, remoteAddress: req.socket.remoteAddress },
        opts.jsonLimits,
        opts.listener,
      );
      logical.operation = 'subscribe';
      // A stream has no answer to wrap: refused before the pipeline could mint a wrapping token.
      if (logical.wrapTtl !== undefined) throw new UpgradeRefused(400, 'sys/events/subscribe cannot be response-wrapped: drop X-Vault-Wrap-TTL');
      // A sealed node or a standby holds no tokens to check, and its bus sees no events.
      if (core.sealed) throw sealedError();
      if (core.ha !== undefined && !core.ha.serving()) throw new UpgradeRefused(503, 'this node is a standby: subscribe on the active node');
      // Looked up before the pipeline, which may spend a limited token's last use (and revoke it).
      const entry = await core.tokens.lookup(logical.clientToken ?? '');
      if (entry && entry.numUses > 0) throw new UpgradeRefused(400, 'a token with a use limit cannot hold an event stream: use one without num_uses');
      const answer = await core.handle(logical);
      // The pipeline accepted the token; the stream keeps only its hashed id.
      if (!entry) throw new UpgradeRefused(403, 'permission denied');
      const given = answer.data as { event_type: string; filter: string };
      const subscription = parseSubscription({ event_type: given.event_type, filter: given.filter, json: true });
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = new EventStream({ core, ws, socket, hashedId: entry.hashedId, subscribePath: logical.path, subscription, limits });
        const unsubscribe = core.events.subscribe(stream);
        streams.add(stream);
        stream.onClosed = () => {
          unsubscribe();
          streams.delete(stream);
        };
        ws.on('close', () => stream.close(1000, ''));
        ws.on('error', () => stream.close(1011, 'connection error'));
        // Nothing is expected from the subscriber but control frames; ws answers pings itself.
        ws.on('message', () => undefined);
        watchTokens();
      });
    } catch (err) {
      if (err instanceof UpgradeRefused) return refuse(socket, err.status, [err.message]);
      if (isCofferError(err)) return refuse(socket, err.status, err.messages);
      logger.error('unexpected error while opening an event stream', { request_id: id, error: (err as Error)?.message ?? String(err) });
      refuse(socket, 500, ['internal error']);
    }
  };

  const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    const url = req.url ?? '';
    const isSubscribe = url === SUBSCRIBE_PREFIX || url.startsWith(SUBSCRIBE_PREFIX + '/') || url.startsWith(SUBSCRIBE_PREFIX + '?');
    if (!isSubscribe) return serveAsRequest(opts.route, req, socket);
    void subscribe(req, socket, head);
  };
  return Object.assign(listener, {
    closeAll() {
      for (const s of streams) s.close(1001, 'server shutting down', SHUTDOWN_GRACE_MS);
    },
  });
}

/** What ws would refuse after the fact in plain text: refused first, in the API's JSON, before anything is audited as accepted. */
function checkHandshake(req: IncomingMessage): void {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new UpgradeRefused(400, 'sys/events/subscribe upgrades only to websocket');
  if (req.method !== 'GET') throw new UpgradeRefused(405, `a WebSocket opens with GET, not ${req.method}`);
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) throw new UpgradeRefused(400, 'missing or invalid Sec-WebSocket-Key header');
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') throw new UpgradeRefused(400, 'unsupported Sec-WebSocket-Version: use 13');
}

class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
