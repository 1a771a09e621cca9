/**
 * The audit hook of the pipeline. Every request is offered to the enabled devices before
 * its handler runs and every answer before it leaves; when devices are enabled and none
 * records an entry, the request fails closed (500, nothing returned).
 *
 * A request's response entry goes to the devices that took its request entry, so each
 * device holds both halves of every pair it holds. A device disabled (or a server sealed)
 * while requests are in flight stays open until those requests have written their
 * response entries, then closes.
 */
import { CofferError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { AuditEvent } from './audit-event.js';

export type { AuditEvent } from './audit-event.js';

export interface AuditDevice {
  /** `file/`: where it is enabled, with the trailing slash. */
  readonly path: string;
  /** Resolves once the entry is written: the handler may run. */
  logRequest(event: AuditEvent): Promise<void>;
  /** Resolves once the entry is durably stored: the answer may leave. */
  logResponse(event: AuditEvent): Promise<void>;
  /** `hmac-sha256:<hex>` of a value with this device's salt (sys/audit-hash). */
  hash?(value: string): string;
  /** Closes and opens its file or connection again (SIGHUP, log rotation). */
  reopen?(): Promise<void>;
  /** Flushes what it holds and releases its file or connection. */
  close?(): Promise<void>;
}

/** The 500 of a request no device could record. Its text says nothing about the devices. */
export class AuditFailure extends CofferError {
  constructor() {
    super('Internal', 'internal error');
  }
}

interface Slot {
  device: AuditDevice;
  /** Requests whose request entry went to this device and whose response entry has not. */
  users: number;
  retired: boolean;
  closed?: Promise<void>;
}

/** How often a failing device is reported in the server log, at most. */
const REPORT_EVERY_MS = 10_000;

export class AuditBroker {
  /** Replaced, never changed in place: a request keeps the list it started with. */
  private slots: readonly Slot[] = [];
  private readonly stages = new WeakMap<AuditEvent, readonly Slot[]>();
  private readonly closing = new Set<Promise<void>>();
  private readonly reported = new Map<string, { at: number; missed: number }>();

  constructor(private readonly logger?: Logger) {}

  get enabled(): boolean {
    return this.slots.length > 0;
  }

  get(path: string): AuditDevice | undefined {
    return this.slots.find((s) => s.device.path === path)?.device;
  }

  devices(): AuditDevice[] {
    return this.slots.map((s) => s.device);
  }

  register(device: AuditDevice): void {
    const old = this.slots.find((s) => s.device.path === device.path);
    this.slots = [...this.slots.filter((s) => s !== old), { device, users: 0, retired: false }];
    if (old) this.retire(old);
  }

  /** Stops offering entries to the device; it closes once its requests in flight are done. */
  unregister(path: string): void {
    const slot = this.slots.find((s) => s.device.path === path);
    if (!slot) return;
    this.slots = this.slots.filter((s) => s !== slot);
    this.retire(slot);
  }

  /** Unregisters every device (seal). */
  clear(): void {
    const old = this.slots;
    this.slots = [];
    for (const slot of old) this.retire(slot);
  }

  /** Resolves once every device unregistered so far has closed (server shutdown). */
  async closed(): Promise<void> {
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }

  /** The request entry, before the handler runs. Throws AuditFailure when no device took it. */
  async logRequest(event: AuditEvent): Promise<void> {
    const slots = this.slots;
    if (slots.length === 0) return;
    for (const slot of slots) slot.users++;
    this.stages.set(event, slots);
    let recorded: boolean;
    try {
      recorded = await this.fanOut(slots, (d) => d.logRequest(event));
    } catch (err) {
      this.release(event);
      throw err;
    }
    if (!recorded) {
      this.release(event);
      throw new AuditFailure();
    }
  }

  /** The response entry, before the answer leaves. Throws AuditFailure when no device took it. */
  async logResponse(event: AuditEvent): Promise<void> {
    const slots = this.stages.get(event);
    // No request entry went anywhere (no device was enabled then): a lone response entry would be half a pair.
    if (!slots) return;
    let recorded: boolean;
    try {
      recorded = await this.fanOut(slots, (d) => d.logResponse(event));
    } finally {
      this.release(event);
    }
    if (!recorded) throw new AuditFailure();
  }

  /** One device recording the entry is enough. */
  private async fanOut(slots: readonly Slot[], write: (device: AuditDevice) => Promise<void>): Promise<boolean> {
    if (slots.length === 1) {
      try {
        await write(slots[0]!.device);
        return true;
      } catch (err) {
        this.report(slots[0]!.device, err);
        return false;
      }
    }
    const results = await Promise.allSettled(slots.map((s) => write(s.device)));
    let recorded = false;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') recorded = true;
      else this.report(slots[i]!.device, r.reason);
    });
    return recorded;
  }

  private release(event: AuditEvent): void {
    const slots = this.stages.get(event);
    if (!slots) return;
    this.stages.delete(event);
    for (const slot of slots) {
      slot.users--;
      if (slot.retired && slot.users === 0) this.closeSlot(slot);
    }
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    if (slot.users === 0) this.closeSlot(slot);
  }

  private closeSlot(slot: Slot): void {
    if (slot.closed || !slot.device.close) return;
    const done = slot.device.close().catch((err: unknown) => this.logger?.warn('audit device did not close cleanly', { path: slot.device.path, error: describe(err) }));
    slot.closed = done;
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
  }

  /** Logs a device failure without flooding the log: once, then at most every ten seconds. */
  private report(device: AuditDevice, err: unknown): void {
    const now = Date.now();
    const seen = this.reported.get(device.path);
    if (seen && now - seen.at < REPORT_EVERY_MS) {
      seen.missed++;
      return;
    }
    this.reported.set(device.path, { at: now, missed: 0 });
    this.logger?.error('audit device failed to record an entry', { path: device.path, error: describe(err), ...(seen?.missed ? { failures_not_logged: seen.missed } : {}) });
  }
}

/** An error's code or message: device errors name files and addresses, never entry content. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
