/**
 * A standby's answer to a request it does not serve: the same request, sent on to the
 * active node's api_addr (read from the HA lock), and the active node's answer relayed back
 * unchanged, so the client sees one answer. The client's address travels in a header the
 * active node trusts only with the cluster's signature (core/ha/forwarding.ts).
 *
 * When the active node cannot be reached, the client gets Vault's fallback: a 307 to the
 * active node's api_addr, where it may try itself. Only when no connection was made, though:
 * once one was, the active node may have run the request (a write), and a 307 would have the
 * client run it twice; the client gets a 502 instead. A request that was already forwarded is
 * never forwarded again (two nodes that each think the other active would bounce it).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Core } from '../core/core.js';
import { encodeChain, FORWARDED_FOR, FORWARDED_SIG, FORWARDED_TLS_CHAIN, signForwarded } from '../core/ha/forwarding.js';
import { connectionInfo } from './peer-certificates.js';
import type { Logger } from '../logging/logger.js';
import { errorBody } from './envelope.js';
import { writeAnswer } from './v1-handler.js';

/** How long the active node may take to answer before the standby gives up and redirects. */
const FORWARD_TIMEOUT_MS = 30_000;

// Hop-by-hop headers (RFC 9110 section 7.6.1) and the ones rebuilt here.
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length', FORWARDED_FOR, FORWARDED_SIG, FORWARDED_TLS_CHAIN]);

function copyHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !DROPPED.has(name)) out[name] = value;
  return out;
}

export type Forwarder = (req: IncomingMessage, res: ServerResponse, receivedAt: number, body: Buffer | undefined, clientAddress: string, alreadyForwarded: boolean) => Promise<void>;

export function createForwarder(core: Core, logger: Logger): Forwarder {
  const agents = {
    // noDelay: a forwarded request is written in pieces (headers, body); Nagle would hold the second one back.
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256, noDelay: true } as http.AgentOptions),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256, noDelay: true } as https.AgentOptions),
  };
  const unavailable = (res: ServerResponse, receivedAt: number, message: string) => writeAnswer(res, receivedAt, 503, errorBody([message]));

  return async (req, res, receivedAt, body, clientAddress, alreadyForwarded) => {
    const ha = core.ha;
    const key = core.forwardingKey;
    if (!ha || !key) return unavailable(res, receivedAt, 'this node is not the active node, and has no active node to send the request to');
    if (alreadyForwarded) return unavailable(res, receivedAt, 'the request was forwarded to a node that is not the active node (a takeover is under way): retry it');
    let holder = await ha.holder(false);
    if (!holder || holder.identity === ha.lock.identity) holder = await ha.holder(true);
    if (!holder) return unavailable(res, receivedAt, 'no node of the cluster is active right now (an election is under way): retry shortly');
    if (holder.identity === ha.lock.identity) return unavailable(res, receivedAt, 'this node is becoming the active node: retry shortly');
    const apiAddr = holder.info.apiAddr;
    let target: URL;
    try {
      target = new URL(req.url ?? '/v1/', apiAddr);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('unsupported scheme');
    } catch {
      return unavailable(res, receivedAt, `the active node advertises an unusable api_addr ${JSON.stringify(apiAddr)}`);
    }
    const method = req.method ?? 'GET';
    // The client's certificates (cert logins) travel signed: the active node sees only this node's connection.
    const chain = connectionInfo(req.socket)?.peerCertificates() ?? [];
    const sent = { ...copyHeaders(req.headers), ...(chain.length ? { [FORWARDED_TLS_CHAIN]: encodeChain(chain) } : {}) };
    const headers = {
      ...sent,
      ...signForwarded(key, clientAddress, { method, url: req.url ?? '/v1/', headers: sent, body }),
      ...(body ? { 'content-length': String(body.length) } : {}),
    };
    const redirect = (why: string) => {
      logger.warn(`forwarding to the active node at ${target.origin} failed (${why}): redirecting the client there`);
      if (res.headersSent || res.destroyed) return;
      writeAnswer(res, receivedAt, 307, undefined, { location: target.href });
    };
    await new Promise<void>((resolve) => {
      const send = target.protocol === 'https:' ? https.request : http.request;
      const out = send(target, { method, headers, agent: agents[target.protocol as 'http:'], timeout: FORWARD_TIMEOUT_MS }, (answer) => {
        const relayed = copyHeaders(answer.headers);
        if (answer.headers['content-length'] !== undefined) relayed['content-length'] = answer.headers['content-length'];
        res.writeHead(answer.statusCode ?? 502, relayed);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
      });
      // Set once a connection to the active node is up: from then on the request may have reached it.
      let connected = false;
      out.on('socket', (socket) => {
        if (!socket.connecting) connected = true; // a kept-alive connection
        else socket.once('connect', () => (connected = true));
      });
      out.on('timeout', () => out.destroy(new Error('no answer in time')));
      out.on('error', (err) => {
        if (!connected) redirect(err.message);
        else {
          logger.warn(`forwarding to the active node at ${target.origin} failed after the request was sent (${err.message})`);
          if (!res.headersSent && !res.destroyed) {
            writeAnswer(res, receivedAt, 502, errorBody([`the active node at ${target.origin} did not answer the forwarded request (${err.message}); it may have been carried out: check before retrying it`]));
          }
        }
        resolve();
      });
      out.end(body);
    });
  };
}
