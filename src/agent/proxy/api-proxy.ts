/**
 * The API proxy: applications on the host talk to the agent's listener as if it were the
 * server. Every request is passed on as it came (method, path, query, headers, body,
 * streamed both ways); with use_auto_auth_token the agent's token is added to requests
 * that carry none, or with "force" replaces whatever they carry.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { handleClientError } from '../../http/client-error.js';
import { createListParser } from '../../http/list-method.js';
import type { Logger } from '../../logging/logger.js';
import type { ApiProxyConfig, ListenerConfig, VaultConnection } from '../config/types.js';

export interface ProxyOptions {
  vault: VaultConnection;
  upstreamTls: https.AgentOptions;
  proxy: ApiProxyConfig;
  /** The current auto-auth token, or a promise while the first login is under way. */
  token(): string | undefined | Promise<string | undefined>;
  logger: Logger;
}

export interface RunningListener {
  /** http://127.0.0.1:8100 or https://… */
  url: string;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to one connection, not to the request (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && k !== 'host') out[k] = v;
  return out;
}

const hasOwnToken = (h: http.IncomingHttpHeaders) => Boolean(h['x-vault-token']) || /^bearer\s+\S/i.test(String(h.authorization ?? ''));

function jsonError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ errors: [message] });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Vault's client waits between 1 and 1.5 seconds before a retry. */
const RETRY_WAIT_MS = 1_000;
const RETRY_JITTER_MS = 500;

export function createProxyHandler(opts: ProxyOptions): http.RequestListener {
  const upstream = new URL(opts.vault.address);
  const isHttps = upstream.protocol === 'https:';
  const agent = isHttps ? new https.Agent({ ...opts.upstreamTls, keepAlive: true }) : new http.Agent({ keepAlive: true });
  const log = opts.logger;
  return (req, res) => {
    void (async () => {
      const headers = forwardHeaders(req.headers);
      const mode = opts.proxy.useAutoAuthToken;
      if (mode === 'force' || (mode === true && !hasOwnToken(req.headers))) {
        const token = await opts.token();
        if (token) {
          headers['x-vault-token'] = token;
          if (mode === 'force') delete headers.authorization;
        }
      }
      // A request without a body can be sent again: when the server cannot be reached (a
      // restart), it is, up to vault.retry.num_retries times, as Vault's client retries.
      const bodiless = !req.headers['transfer-encoding'] && (req.headers['content-length'] ?? '0') === '0';
      const send = (attempt: number): void => {
        const upstreamReq = (isHttps ? https : http).request({
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        });
        upstreamReq.on('response', (up) => {
          res.writeHead(up.statusCode ?? 502, forwardHeaders(up.headers));
          up.pipe(res);
          up.on('error', () => res.destroy());
        });
        upstreamReq.on('error', (err) => {
          const reason = (err as NodeJS.ErrnoException).code ?? err.message;
          const path = (req.url ?? '').split('?')[0];
          if (bodiless && attempt < opts.vault.numRetries && !res.headersSent && !req.destroyed) {
            log.debug('request to the server failed; retrying', { method: req.method, path, error: reason, attempt: attempt + 1 });
            setTimeout(() => send(attempt + 1), RETRY_WAIT_MS + Math.random() * RETRY_JITTER_MS);
            return;
          }
          log.warn('request to the server failed', { method: req.method, path, error: reason });
          jsonError(res, 502, `the agent could not reach the server at ${opts.vault.address}: ${reason}`);
        });
        // The application went away before its answer was complete: so does the request.
        res.once('close', () => {
          if (!res.writableFinished) upstreamReq.destroy();
        });
        if (bodiless) upstreamReq.end();
        else req.pipe(upstreamReq);
      };
      send(0);
    })().catch((err: unknown) => jsonError(res, 500, `agent proxy error: ${err instanceof Error ? err.message : String(err)}`));
  };
}

/** Starts one listener "tcp" with the proxy behind it. Port 0 picks a free port. */
export async function startListener(listener: ListenerConfig, handler: http.RequestListener): Promise<RunningListener> {
  const server = listener.tlsDisable
    ? http.createServer(handler)
    : https.createServer({ cert: readFileSync(listener.tlsCertFile!), key: readFileSync(listener.tlsKeyFile!) }, handler);
  // hvac and node-vault send LIST, a method node's parser refuses: the server's own
  // rewriting (src/http/list-method.ts) turns it into GET ?list=true before it is proxied.
  const listParser = createListParser(handler);
  server.on('clientError', (err: Error, socket) => handleClientError({ listParser }, err, socket as Socket));
  const { host, port } = splitAddress(listener.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `${listener.tlsDisable ? 'http' : 'https'}://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`listener address "${address}" must be host:port`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
