/**
 * The audit devices of an unsealed server: the persisted table, the live devices in the
 * broker, and the audited request headers. Enable is durable before it answers and a
 * device that cannot open is refused with nothing persisted; on unseal every device is
 * opened again, and on seal they are unregistered and closed once idle.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CofferError, invalidRequest, permissionDenied } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import { applyOps, type Storage } from '../../logical/storage.js';
import { normalizeMountPath } from '../mount-table.js';
import { describe, type AuditBroker } from './audit-broker.js';
import { createAuditDevice, type OpenableAuditDevice } from './audit-device.js';
import { AuditedHeaders } from './audited-headers.js';
import { auditPathsConflict, auditTableOp, loadAuditTable, saltKey, type AuditTableEntry } from './audit-table.js';
import { parseDeviceOptions } from './device-options.js';

export interface AuditManagerOptions {
  storage: Storage;
  broker: AuditBroker;
  logger: Logger;
  /** False when the server configuration forbids enabling devices through the API. */
  allowApiCreation: boolean;
  /** Directories a file device may never write into: the server's storage and configuration. */
  protectedDirs: readonly string[];
}

export interface EnableSpec {
  type: string;
  description?: string;
  options?: Record<string, string>;
  local?: boolean;
}

export class AuditManager {
  readonly headers: AuditedHeaders;
  private entries: AuditTableEntry[] = [];
  private readonly live = new Map<string, OpenableAuditDevice>();
  /** Table changes run one at a time: two enables of one path cannot both pass the check. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AuditManagerOptions) {
    this.headers = new AuditedHeaders(options.storage);
  }

  list(): readonly AuditTableEntry[] {
    return this.entries;
  }

  /** On unseal. A device that cannot open now stays enabled and keeps trying: requests fail closed meanwhile. */
  async load(): Promise<void> {
    await this.headers.load();
    this.entries = await loadAuditTable(this.options.storage);
    for (const entry of this.entries) {
      try {
        const device = await this.build(entry);
        this.live.set(entry.path, device);
        this.options.broker.register(device);
        await device.open().catch((err: unknown) =>
          this.options.logger.error('audit device could not be opened; requests fail until it can record', { path: entry.path, error: describe(err) }),
        );
      } catch (err) {
        // Options or salt that no longer load: better refuse every request than run unaudited.
        this.options.broker.register(refusingDevice(entry.path));
        this.options.logger.error('audit device could not be set up; requests fail until it is disabled', { path: entry.path, error: describe(err) });
      }
    }
  }

  /** On seal: nothing is offered to the devices any more; each closes once its requests in flight are done. */
  unload(): void {
    this.options.broker.clear();
    this.live.clear();
    this.entries = [];
    this.headers.clear();
  }

  enable(rawPath: string, spec: EnableSpec): Promise<AuditTableEntry> {
    return this.serially(async () => {
      if (!this.options.allowApiCreation) {
        throw permissionDenied('audit devices cannot be enabled through the API on this server: its configuration sets disable_api_audit_creation');
      }
      const path = normalizeAuditPath(rawPath);
      const clash = this.entries.find((e) => auditPathsConflict(e.path, path));
      if (clash) throw invalidRequest(`path already in use: an audit device is enabled at "${clash.path}"`);
      const options = spec.options ?? {};
      const entry: AuditTableEntry = {
        path,
        type: spec.type,
        description: spec.description ?? '',
        options,
        local: spec.local ?? false,
        uuid: randomUUID(),
        created: Date.now(),
      };
      const salt = randomBytes(32);
      const device = await this.build(entry, salt);
      try {
        await device.open();
      } catch (err) {
        await device.close().catch(() => undefined);
        throw err instanceof CofferError ? err : invalidRequest(`the ${entry.type} audit device cannot be used: ${describe(err)}`);
      }
      try {
        // The salt and the table in one commit: a device is never listed without its salt.
        await applyOps(this.options.storage, [{ kind: 'put', key: saltKey(entry.uuid), value: salt }, auditTableOp([...this.entries, entry])]);
      } catch (err) {
        await device.close().catch(() => undefined);
        throw err;
      } finally {
        salt.fill(0);
      }
      this.entries = [...this.entries, entry];
      this.live.set(path, device);
      this.options.broker.register(device);
      return entry;
    });
  }

  /** Vault answers 204 for a path where nothing is enabled; so does this. */
  disable(rawPath: string): Promise<void> {
    return this.serially(async () => {
      const path = normalizeAuditPath(rawPath);
      const entry = this.entries.find((e) => e.path === path);
      if (!entry) return;
      const next = this.entries.filter((e) => e !== entry);
      await applyOps(this.options.storage, [auditTableOp(next), { kind: 'delete', key: saltKey(entry.uuid) }]);
      this.entries = next;
      this.live.delete(path);
      this.options.broker.unregister(path);
    });
  }

  /** sys/audit-hash: the HMAC the device at `rawPath` writes for `input`. */
  hash(rawPath: string, input: string): string {
    const path = normalizeAuditPath(rawPath);
    const device = this.live.get(path);
    if (!device) throw invalidRequest(`unknown audit backend "${path}"`);
    return device.hash(input);
  }

  /** SIGHUP: every device closes and opens its file or connection again. Failures are logged and returned. */
  async reopen(): Promise<{ path: string; error: string }[]> {
    const failures: { path: string; error: string }[] = [];
    await Promise.all(
      [...this.live].map(async ([path, device]) => {
        try {
          await device.reopen();
        } catch (err) {
          failures.push({ path, error: describe(err) });
          this.options.logger.error('audit device could not be reopened; requests fail until it can record', { path, error: describe(err) });
        }
      }),
    );
    return failures;
  }

  private async build(entry: AuditTableEntry, freshSalt?: Buffer): Promise<OpenableAuditDevice> {
    const config = parseDeviceOptions(entry.type, entry.options);
    const salt = freshSalt ?? (await this.options.storage.get(saltKey(entry.uuid)));
    if (!salt) throw new Error('the device has no salt in storage');
    try {
      return createAuditDevice(entry.path, config, salt, { protectedDirs: this.options.protectedDirs, headers: () => this.headers.table });
    } finally {
      if (!freshSalt) salt.fill(0);
    }
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const result = this.changing.then(run);
    this.changing = result.catch(() => undefined);
    return result;
  }
}

/** Like mount paths: `my-file`, `/my-file/` → `my-file/`. */
export function normalizeAuditPath(raw: string): string {
  try {
    return normalizeMountPath(raw);
  } catch (err) {
    if (err instanceof CofferError) throw invalidRequest(err.message.replace('mount path', 'audit device path'));
    throw err;
  }
}

/** Stands in for a device whose table entry cannot be used: it records nothing. */
function refusingDevice(path: string) {
  const refuse = async () => {
    throw new Error('the audit device could not be set up at unseal');
  };
  return { path, logRequest: refuse, logResponse: refuse };
}
