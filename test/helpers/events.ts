/** A sys/events/subscribe client for tests: the `ws` library, as a Node subscriber would use it. */
import { WebSocket } from 'ws';
import type { CloudEvent } from '../../src/api/events.js';
import type { TestServer } from './dev-server.js';

/** One event as the server sends it: the API client's type. */
export type CloudEventMessage = CloudEvent;

export interface Subscriber {
  ws: WebSocket;
  /** Every message received so far, parsed. */
  received: CloudEventMessage[];
  /** The next message not yet taken by `next`. */
  next(timeoutMs?: number): Promise<CloudEventMessage>;
  /** Messages arriving within `ms`, after whatever is already there. */
  drain(ms: number): Promise<CloudEventMessage[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface Refusal {
  status: number;
  body: string;
}

export function subscribeUrl(t: TestServer, eventType: string, query = 'json=true'): string {
  return `${t.address.replace(/^http/, 'ws')}/v1/sys/events/subscribe/${eventType}${query ? `?${query}` : ''}`;
}

/** Opens a stream; resolves once the server accepted it, or with the HTTP answer that refused it. */
export function subscribe(t: TestServer, eventType: string, opts: { token?: string; query?: string; headers?: Record<string, string> } = {}): Promise<Subscriber | Refusal> {
  const headers: Record<string, string> = { ...(opts.token !== undefined ? { 'X-Vault-Token': opts.token } : {}), ...opts.headers };
  const ws = new WebSocket(subscribeUrl(t, eventType, opts.query), { headers, ...(t.tls ? { ca: t.tls.cert } : {}) });
  const received: CloudEventMessage[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    received.push(JSON.parse(data.toString()) as CloudEventMessage);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const subscriber: Subscriber = {
    ws,
    received,
    closed,
    close: () => ws.close(),
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (taken >= received.length) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received[taken++]!;
    },
    async drain(ms) {
      await new Promise((r) => setTimeout(r, ms));
      const out = received.slice(taken);
      taken = received.length;
      return out;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(subscriber));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

export async function mustSubscribe(t: TestServer, eventType: string, opts: Parameters<typeof subscribe>[2] = {}): Promise<Subscriber> {
  const s = await subscribe(t, eventType, { token: t.rootToken, ...opts });
  if (!('ws' in s)) throw new Error(`subscription refused: ${s.status} ${s.body}`);
  return s;
}

export async function mustRefuse(t: TestServer, eventType: string, opts: Parameters<typeof subscribe>[2] = {}): Promise<Refusal> {
  const s = await subscribe(t, eventType, opts);
  if ('ws' in s) {
    s.close();
    throw new Error('subscription was accepted');
  }
  return s;
}
