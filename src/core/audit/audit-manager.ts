/**
 * The audit devices of an unsealed server: the persisted table, the live devices in the
 * broker, and the audited request headers. Enable is durable before it answers and a
 * device that cannot open is refused with nothing persisted; on unseal the devices of the
 * configuration file are brought in line (configured-devices.ts) and every device is
 * opened again, and on seal they are unregistered and closed once idle.
 *
 * A device writes files or opens connections where its options say, as the server's
 * user: through the API that is only allowed when the configuration asks for it
 * (unsafe_allow_api_audit_creation; dev mode), and `prefix`, which puts text of the
 * caller's choosing at the start of every line, only with allow_audit_log_prefixing.
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
import { syncConfiguredDevices, type ConfiguredAuditDevice } from './configured-devices.js';
import { parseDeviceOptions } from './device-options.js';

export interface AuditManagerOptions {
  storage: Storage;
  broker: AuditBroker;
  logger: Logger;
  /** True only when the server configuration allows enabling devices through the API (unsafe_allow_api_audit_creation, dev mode). */
  allowApiCreation: boolean;
  /** allow_audit_log_prefixing: the API may enable devices with a `prefix`. */
  allowPrefixing: boolean;
  /** The devices of the configuration file's audit stanzas. */
  configured: readonly ConfiguredAuditDevice[];
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
    this.entries = await this.applyConfiguration(await loadAuditTable(this.options.storage));
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

  /**
   * Creates the configured devices that are missing and disables those whose stanza is
   * gone, in one commit with their salts. Runs before any device is registered, so a
   * refusal (a changed stanza) leaves nothing half applied: the unseal fails, saying why.
   */
  private async applyConfiguration(table: AuditTableEntry[]): Promise<AuditTableEntry[]> {
    const { entries, added, removed } = syncConfiguredDevices(table, this.options.configured, Date.now());
    if (added.length === 0 && removed.length === 0) return entries;
    const salts = added.map(() => randomBytes(32));
    try {
      await applyOps(this.options.storage, [
        ...added.map((e, i) => ({ kind: 'put' as const, key: saltKey(e.uuid), value: salts[i]! })),
        ...removed.map((e) => ({ kind: 'delete' as const, key: saltKey(e.uuid) })),
        auditTableOp(entries),
      ]);
    } finally {
      for (const salt of salts) salt.fill(0);
    }
    for (const e of added) this.options.logger.info('audit device of the configuration file enabled', { path: e.path, type: e.type });
    for (const e of removed) this.options.logger.info('audit device disabled: its stanza left the configuration file', { path: e.path });
    return entries;
  }

  enable(rawPath: string, spec: EnableSpec): Promise<AuditTableEntry> {
    return this.serially(async () => {
      if (!this.options.allowApiCreation) {
        throw permissionDenied(
          'audit devices cannot be enabled through the API on this server: declare them in audit stanzas of its configuration file, or set unsafe_allow_api_audit_creation = true there',
        );
      }
      const options = spec.options ?? {};
      if ((options.prefix ?? '') !== '' && !this.options.allowPrefixing) {
        throw invalidRequest('audit log prefixing is not allowed on this server: the "prefix" option needs allow_audit_log_prefixing = true in its configuration file');
      }
      const path = normalizeAuditPath(rawPath);
      const clash = this.entries.find((e) => auditPathsConflict(e.path, path));
      if (clash?.configured) throw invalidRequest(`path already in use: the audit device at "${clash.path}" is declared in the server's configuration file, which the API cannot change`);
      if (clash) throw invalidRequest(`path already in use: an audit device is enabled at "${clash.path}"`);
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
      if (entry.configured) {
        throw invalidRequest(`cannot disable the audit device at "${path}": it is declared in the server's configuration file; remove its audit stanza and restart to disable it`);
      }
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
