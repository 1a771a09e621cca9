/**
 * The in-process event bus. Engines publish after a change is committed; subscribers (the
 * WebSocket streams of sys/events/subscribe) get what was published in one batch per
 * event-loop turn. Events are best-effort notifications: publishing never waits for a
 * subscriber, a subscriber that cannot keep up is dropped by its own bounded queue, and
 * nothing is kept for one that connects later or reconnects.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventSender, MountInfo } from '../../framework/backend.js';
import type { Logger } from '../../logging/logger.js';
import { PATH_KEYS, type EventPluginInfo, type PublishedEvent } from './event.js';

export interface EventSubscriber {
  /** Called once per event-loop turn with what was published in it; must not throw or wait. */
  deliver(events: readonly PublishedEvent[]): void;
  /** The server seals: the stream ends with this WebSocket close code and reason. */
  close(code: number, reason: string): void;
}

/** WebSocket close: the server is going away (sealed) and the subscriber should reconnect later. */
export const CLOSE_SEALED = { code: 1001, reason: 'server sealed' } as const;

/**
 * Deliveries are at least this far apart. Each delivery costs one socket write per
 * subscriber whatever it carries, and in the profile of bench/events.ts (100 subscribers)
 * those writes were most of what events cost the server: under load, a few ms of events
 * go out in one write. An event after a quiet spell still leaves at once.
 */
const MIN_DELIVERY_INTERVAL_MS = 25;

export class EventBus {
  private readonly subscribers = new Set<EventSubscriber>();
  private pending: PublishedEvent[] = [];
  private scheduled = false;
  private lastFlush = 0;

  constructor(
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {}


  subscribe(subscriber: EventSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Costs nothing beyond the caller's metadata object while nobody subscribes. */
  publish(type: string, plugin: EventPluginInfo, metadata: Record<string, string>, readPath?: string): void {
    if (this.subscribers.size === 0) return;
    const full: Record<string, string> = { ...metadata };
    for (const key of PATH_KEYS) {
      const rel = full[key];
      if (rel !== undefined) full[key] = plugin.mount_path + rel;
    }
    const read = readPath === undefined ? (full.data_path ?? full.path ?? plugin.mount_path) : plugin.mount_path + readPath;
    this.pending.push({ id: randomUUID(), type, time: this.clock(), metadata: full, plugin, readPath: read });
    if (!this.scheduled) {
      this.scheduled = true;
      const wait = this.lastFlush + MIN_DELIVERY_INTERVAL_MS - performance.now();
      if (wait <= 0) setImmediate(this.flush);
      else setTimeout(this.flush, wait);
    }
  }

  /** The sender handed to one mount's handlers: fills in mount path, accessor and plugin. */
  senderFor(mountClass: 'secret' | 'auth', mount: MountInfo): EventSender {
    const plugin: EventPluginInfo = {
      mount_class: mountClass,
      mount_accessor: mount.accessor,
      mount_path: mount.path,
      plugin: mount.type,
      version: mount.type === 'kv' ? (mount.options.version ?? '1') : '',
    };
    return { send: (type, metadata, readPath) => this.publish(type, plugin, metadata, readPath) };
  }

  /** Ends every stream (seal, shutdown); events still pending are dropped with them. */
  closeAll(code: number, reason: string): void {
    this.pending = [];
    const all = [...this.subscribers];
    this.subscribers.clear();
    for (const s of all) {
      try {
        s.close(code, reason);
      } catch (err) {
        this.logger.warn('closing an event subscriber failed', { error: (err as Error).message });
      }
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.lastFlush = performance.now();
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    for (const s of this.subscribers) {
      try {
        s.deliver(batch);
      } catch (err) {
        this.logger.warn('delivering events to a subscriber failed', { error: (err as Error).message });
      }
    }
  };
}
