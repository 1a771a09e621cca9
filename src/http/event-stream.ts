/**
 * One subscriber's WebSocket: which published events it may see, and a bounded queue
 * between the bus and its socket. The bus never waits for a stream: what the socket has
 * not taken waits here, and a subscriber that lets more than `maxQueuedEvents` or
 * `maxQueuedBytes` pile up is closed (1008) rather than slowing anything else down.
 * Events are best-effort notifications; a closed subscriber reconnects and carries on.
 *
 * Each event is checked against the token as it is now: a revoked or expired token closes
 * the stream, lost `subscribe` capability closes it, and an event about a path the token's
 * policies (its own and its entity's) do not let it `read` is skipped.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Core } from '../core/core.js';
import type { EventSubscriber } from '../core/events/bus.js';
import { cloudEvent, type PublishedEvent } from '../core/events/event.js';
import type { Subscription } from '../core/events/subscription.js';
import type { Acl } from '../core/policy/types.js';
import type { TokenEntry } from '../core/token/token-entry.js';
import { textFrame } from './ws-frame.js';

export interface EventStreamLimits {
  maxQueuedEvents: number;
  maxQueuedBytes: number;
  /** How often every stream's token is looked up again, so a revoked one closes without waiting for an event. */
  tokenCheckMs: number;
  /** How long a closed stream's socket may take to say goodbye before it is cut. */
  closeGraceMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  maxQueuedEvents: 4096,
  maxQueuedBytes: 8 * 1024 * 1024,
  tokenCheckMs: 1000,
  closeGraceMs: 10_000,
};

export const CLOSE_TOKEN_GONE = { code: 1008, reason: 'token revoked or expired' } as const;
export const CLOSE_NOT_ALLOWED = { code: 1008, reason: 'permission denied: the token lost the subscribe capability' } as const;

/** Each event is serialized and framed once, whoever receives it. */
const frames = new WeakMap<PublishedEvent, Buffer>();
function frameOf(event: PublishedEvent): Buffer {
  let frame = frames.get(event);
  if (!frame) {
    frame = textFrame(Buffer.from(JSON.stringify(cloudEvent(event))));
    frames.set(event, frame);
  }
  return frame;
}

/** Read verdicts per batch and policy set: 100 subscribers with one policy check each path once. */
const verdicts = new WeakMap<readonly PublishedEvent[], Map<Acl, Map<string, boolean>>>();
function mayRead(batch: readonly PublishedEvent[], acl: Acl, path: string): boolean {
  let byAcl = verdicts.get(batch);
  if (!byAcl) verdicts.set(batch, (byAcl = new Map()));
  let byPath = byAcl.get(acl);
  if (!byPath) byAcl.set(acl, (byPath = new Map()));
  let allowed = byPath.get(path);
  if (allowed === undefined) {
    allowed = acl.check({ path, operation: 'read' }).allowed;
    byPath.set(path, allowed);
  }
  return allowed;
}

export interface EventStreamOptions {
  core: Core;
  ws: WebSocket;
  /** The upgraded socket under `ws`: frames are written to it directly. */
  socket: Duplex;
  /** The subscriber's token, by its hashed id: the raw token is not kept. */
  hashedId: string;
  /** The request path the subscribe capability was granted on. */
  subscribePath: string;
  subscription: Subscription;
  limits: EventStreamLimits;
}

export class EventStream implements EventSubscriber {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private waitingForDrain = false;
  private closed = false;
  /** A token lookup that had to go to storage: later batches wait behind it, in order. */
  private pendingLookup: Promise<void> | undefined;
  onClosed: () => void = () => undefined;

  constructor(private readonly o: EventStreamOptions) {}

  deliver(batch: readonly PublishedEvent[]): void {
    if (this.closed) return;
    if (this.pendingLookup) {
      this.pendingLookup = this.pendingLookup.then(() => this.deliver(batch));
      return;
    }
    const found = this.o.core.tokens.peekHashed(this.o.hashedId);
    if (found === undefined) {
      this.pendingLookup = this.o.core.tokens.lookupByHashedId(this.o.hashedId).then(
        (entry) => {
          this.pendingLookup = undefined;
          this.deliverAs(entry, batch);
        },
        () => this.close(CLOSE_TOKEN_GONE.code, CLOSE_TOKEN_GONE.reason),
      );
      return;
    }
    this.deliverAs(found, batch);
  }

  /** The periodic look at the token, between events. */
  async checkToken(): Promise<void> {
    if (this.closed) return;
    try {
      const acl = this.aclOf(await this.o.core.tokens.lookupByHashedId(this.o.hashedId));
      if (acl) this.checkSubscribe(acl);
    } catch {
      this.close(CLOSE_TOKEN_GONE.code, CLOSE_TOKEN_GONE.reason);
    }
  }

  /** Keeps idle connections alive through proxies that drop quiet ones, as Vault's server does. */
  ping(): void {
    if (!this.closed && this.o.ws.readyState === this.o.ws.OPEN) this.o.ws.ping();
  }

  close(code: number, reason: string, graceMs = this.o.limits.closeGraceMs): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.onClosed();
    const { ws } = this.o;
    if (ws.readyState === ws.OPEN) ws.close(code, reason);
    // A subscriber that does not read never answers the close: cut it after a grace period.
    setTimeout(() => ws.terminate(), graceMs).unref();
  }

  private aclOf(entry: TokenEntry | null): Acl | undefined {
    if (!entry) {
      this.close(CLOSE_TOKEN_GONE.code, CLOSE_TOKEN_GONE.reason);
      return undefined;
    }
    const { core } = this.o;
    return core.policies.aclFor(core.policiesFor(entry.policies, entry.entityId), entry.entityId);
  }

  private checkSubscribe(acl: Acl): boolean {
    if (acl.check({ path: this.o.subscribePath, operation: 'subscribe' }).allowed) return true;
    this.close(CLOSE_NOT_ALLOWED.code, CLOSE_NOT_ALLOWED.reason);
    return false;
  }

  private deliverAs(entry: TokenEntry | null, batch: readonly PublishedEvent[]): void {
    if (this.closed) return;
    let acl: Acl | undefined;
    try {
      acl = this.aclOf(entry);
    } catch {
      // A disabled entity: its tokens are refused everywhere.
      this.close(CLOSE_TOKEN_GONE.code, 'permission denied: the token\u2019s entity is disabled');
      return;
    }
    if (!acl || !this.checkSubscribe(acl)) return;
    const { matches, filter } = this.o.subscription;
    let added = false;
    for (const event of batch) {
      if (!matches(event.type)) continue;
      if (filter && !filter(event)) continue;
      if (!mayRead(batch, acl, event.readPath)) continue;
      const frame = frameOf(event);
      this.queue.push(frame);
      this.queuedBytes += frame.length;
      added = true;
    }
    if (added) this.pump();
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0) return;
    const { socket, limits } = this.o;
    if (this.waitingForDrain || socket.writableNeedDrain) {
      if (this.queue.length > limits.maxQueuedEvents || this.queuedBytes > limits.maxQueuedBytes) {
        this.close(1008, `subscriber too slow: more than ${limits.maxQueuedEvents} events or ${limits.maxQueuedBytes} bytes waiting`);
        return;
      }
      if (!this.waitingForDrain) {
        this.waitingForDrain = true;
        socket.once('drain', () => {
          this.waitingForDrain = false;
          this.pump();
        });
      }
      return;
    }
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    socket.cork();
    for (const frame of queue) socket.write(frame);
    socket.uncork();
  }
}
