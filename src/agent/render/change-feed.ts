/**
 * How the runner learns that a static secret changed: the server's event stream (`kv*`
 * events, each naming the path written), and polling at the static secret interval as
 * the fallback and the safety net. When the stream is refused (no subscribe capability,
 * an older server) or drops, polling carries on alone and the stream is tried again with
 * backoff; after a reconnect everything is read again, since events sent meanwhile are lost.
 */
import { ApiError } from '../../api/client.js';
import { subscribeEvents, type CloudEvent, type EventSubscription } from '../../api/events.js';
import type { TlsOptions } from '../../api/transport.js';
import type { Logger } from '../../logging/logger.js';

export interface ChangeFeedOptions {
  address: string;
  tls?: TlsOptions;
  token: () => string;
  pollIntervalMs: number;
  logger: Logger;
  /** Paths (mount first) an event said changed. */
  onPaths: (paths: string[]) => void;
  /** Time to read every static secret again: a poll tick or a fresh stream. */
  onRefreshAll: () => void;
}

/** The paths a kv event names: where the data is read, and the request path. */
function eventPaths(e: CloudEvent): string[] {
  const m = e.data?.event?.metadata ?? {};
  const out = new Set<string>();
  for (const p of [m.data_path, m.path]) {
    if (!p) continue;
    out.add(p);
    // kv-v2 metadata and destroy paths name the secret another way; the data path is what templates read.
    if (e.data.event_type.startsWith('kv-v2/')) {
      const mount = (e.data.plugin_info?.mount_path ?? '').replace(/\/+$/, '');
      const rest = mount && p.startsWith(mount + '/') ? p.slice(mount.length + 1) : undefined;
      const m2 = rest && /^(metadata|destroy|delete|undelete|data)\/(.+)$/.exec(rest);
      if (m2) out.add(`${mount}/data/${m2[2]}`);
    }
  }
  return [...out];
}

export interface ChangeFeed {
  /** Settles after the first attempt to open the stream, whichever way it went. */
  ready: Promise<void>;
  connected(): boolean;
  stop(): void;
}

export function startChangeFeed(o: ChangeFeedOptions): ChangeFeed {
  let stopped = false;
  let sub: EventSubscription | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoff = 1000;
  const poll = setInterval(() => o.onRefreshAll(), o.pollIntervalMs);
  poll.unref?.();

  async function connect(first: boolean) {
    if (stopped) return;
    try {
      sub = await subscribeEvents({ address: o.address, token: o.token(), tls: o.tls }, 'kv*');
    } catch (e) {
      const status = e instanceof ApiError ? e.status : undefined;
      o.logger.info('event stream unavailable; polling static secrets', { status, interval_ms: o.pollIntervalMs, error: (e as Error).message });
      return retry();
    }
    if (stopped) return sub.close();
    o.logger.debug('event stream connected');
    backoff = 1000;
    if (!first) o.onRefreshAll();
    const current = sub;
    void (async () => {
      for await (const event of current) {
        const paths = eventPaths(event);
        if (paths.length) o.onPaths(paths);
      }
      if (stopped) return;
      const { code } = await current.closed;
      o.logger.info('event stream closed; polling until it is back', { code });
      sub = undefined;
      retry();
    })();
  }

  function retry() {
    if (stopped) return;
    retryTimer = setTimeout(() => void connect(false), backoff);
    retryTimer.unref?.();
    backoff = Math.min(backoff * 2, 60_000);
  }

  const ready = connect(true);
  return {
    ready,
    stop() {
      stopped = true;
      clearInterval(poll);
      clearTimeout(retryTimer);
      sub?.close();
    },
    connected: () => sub !== undefined,
  };
}
