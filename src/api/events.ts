/**
 * sys/events/subscribe from the client side: one WebSocket of CloudEvents JSON, read as an
 * async iterable. Events are best-effort notifications: a consumer that must not miss a
 * change re-reads what it cares about after reconnecting.
 */
import type { RequestOptions } from 'node:https';
import { WebSocket, type ClientOptions } from 'ws';
import { ApiError } from './client.js';
import type { TlsOptions } from './transport.js';

export interface EventStreamClientOptions {
  address: string;
  token?: string;
  namespace?: string;
  tls?: TlsOptions;
  /** A go-bexpr filter such as `data_path == "secret/data/app"` (see the server's path help). */
  filter?: string;
}

/** One event as the server sends it (Vault's CloudEvents JSON). */
export interface CloudEvent {
  id: string;
  source: string;
  specversion: string;
  type: string;
  datacontenttype: string;
  time: string;
  data: {
    event: { id: string; metadata: Record<string, string> };
    event_type: string;
    plugin_info: { mount_class: string; mount_accessor: string; mount_path: string; plugin: string; version?: string };
  };
}

export interface EventSubscription extends AsyncIterable<CloudEvent> {
  /** Resolves when the stream ends, with the server's close code and reason (1008: token gone or too slow; 1001: sealed). */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens the stream; rejects with an ApiError carrying the server's status and errors when it is refused. */
export function subscribeEvents(opts: EventStreamClientOptions, eventType: string): Promise<EventSubscription> {
  const query = new URLSearchParams({ json: 'true', ...(opts.filter ? { filter: opts.filter } : {}) });
  const url = `${opts.address.replace(/\/+$/, '').replace(/^http/, 'ws')}/v1/sys/events/subscribe/${eventType}?${query}`;
  const headers: Record<string, string> = {};
  if (opts.token) headers['X-Vault-Token'] = opts.token;
  if (opts.namespace) headers['X-Vault-Namespace'] = opts.namespace;
  const tls = opts.tls ?? {};
  // ws hands TLS settings to https.request, servername included.
  const options: ClientOptions & RequestOptions = { headers, ca: tls.ca, rejectUnauthorized: !tls.skipVerify, servername: tls.serverName, cert: tls.cert, key: tls.key };
  const ws = new WebSocket(url, options);

  const buffered: CloudEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  ws.on('message', (data) => {
    let event: CloudEvent;
    try {
      event = JSON.parse(data.toString()) as CloudEvent;
    } catch {
      // A frame that is not JSON is the server's fault, not a reason to crash the caller.
      ws.close(1007, 'event frame is not JSON');
      return;
    }
    buffered.push(event);
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      ended = true;
      wake?.();
      resolve({ code, reason: reason.toString() });
    }),
  );
  async function* iterate(): AsyncGenerator<CloudEvent> {
    for (;;) {
      while (buffered.length > 0) yield buffered.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  const subscription: EventSubscription = { closed, close: () => ws.close(), [Symbol.asyncIterator]: iterate };

  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(subscription));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        let errors: string[] = [];
        try {
          errors = (JSON.parse(body) as { errors?: string[] }).errors ?? [];
        } catch {
          if (body) errors = [body];
        }
        reject(new ApiError(res.statusCode ?? 0, errors, { method: 'GET', url: url.replace(/^ws/, 'http') }));
      });
    });
    ws.once('error', reject);
  });
}
