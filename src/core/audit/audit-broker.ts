/**
 * The audit hook of the pipeline. Every request is offered to the enabled devices before
 * its handler runs and every answer before it leaves; when devices are enabled and none
 * records an entry, the request fails closed. Devices themselves (file, socket, syslog)
 * and the entry format with HMAC'd values are the audit issue's work: with no device
 * enabled, requests pass.
 */
import { internalError } from '../../errors.js';
import type { Request, Response } from '../../logical/request.js';
import type { TokenEntry } from '../token/token-entry.js';

export interface AuditEvent {
  request: Request;
  token: TokenEntry | null;
  response?: Response;
  error?: unknown;
}

export interface AuditDevice {
  path: string;
  logRequest(event: AuditEvent): Promise<void>;
  logResponse(event: AuditEvent): Promise<void>;
}

export class AuditBroker {
  private readonly devices = new Map<string, AuditDevice>();

  get enabled(): boolean {
    return this.devices.size > 0;
  }

  register(device: AuditDevice): void {
    this.devices.set(device.path, device);
  }

  unregister(path: string): void {
    this.devices.delete(path);
  }

  clear(): void {
    this.devices.clear();
  }

  logRequest(event: AuditEvent): Promise<void> {
    return this.fanOut((d) => d.logRequest(event));
  }

  logResponse(event: AuditEvent): Promise<void> {
    return this.fanOut((d) => d.logResponse(event));
  }

  /** One device recording the entry is enough; none recording it fails the request. */
  private async fanOut(write: (device: AuditDevice) => Promise<void>): Promise<void> {
    if (this.devices.size === 0) return;
    const results = await Promise.allSettled([...this.devices.values()].map(write));
    if (!results.some((r) => r.status === 'fulfilled')) throw internalError('no audit device recorded the request');
  }
}
