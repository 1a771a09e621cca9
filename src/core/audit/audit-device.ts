/**
 * An audit device: its options, its salt and a sink, put together. Formatting happens here,
 * per device, because each device hashes with its own salt.
 */
import type { AuditDevice } from './audit-broker.js';
import { createEntryFormatter, type AuditedHeaderTable } from './audit-entry.js';
import { createAuditHasher } from './audit-hasher.js';
import type { DeviceConfig } from './device-options.js';
import { checkAuditFilePath } from './file-path-check.js';
import { FileSink } from './sinks/file-sink.js';
import { discardSink, stdoutSink, type AuditSink } from './sinks/sink.js';
import { SocketSink } from './sinks/socket-sink.js';
import { SyslogSink } from './sinks/syslog-sink.js';

export interface DeviceContext {
  /** Directories a file device may never write into (storage, configuration). */
  protectedDirs: readonly string[];
  /** The request headers to record, read at each entry (they can change at any time). */
  headers: () => AuditedHeaderTable;
}

export interface OpenableAuditDevice extends AuditDevice {
  /** Opens the file or connection; throws when the device cannot work (refused at enable). */
  open(): Promise<void>;
  hash(value: string): string;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

function sinkFor(config: DeviceConfig, ctx: DeviceContext): AuditSink {
  switch (config.type) {
    case 'file': {
      const d = config.destination;
      if (d.kind === 'stdout') return stdoutSink();
      if (d.kind === 'discard') return discardSink;
      return new FileSink({ path: d.path, mode: d.mode, prefix: config.entry.prefix, checkPath: (p) => checkAuditFilePath(p, ctx.protectedDirs) });
    }
    case 'socket':
      return new SocketSink(config.target, config.timeoutMs);
    case 'syslog':
      return new SyslogSink(config.target);
  }
}

/** A formatting error becomes a rejection, so the broker counts it as a failed device. */
function written(write: () => Promise<void>): Promise<void> {
  try {
    return write();
  } catch (err) {
    return Promise.reject(err);
  }
}

export function createAuditDevice(path: string, config: DeviceConfig, salt: Buffer, ctx: DeviceContext): OpenableAuditDevice {
  const hasher = createAuditHasher(salt);
  const format = createEntryFormatter(config.entry, hasher, ctx.headers);
  const sink = sinkFor(config, ctx);
  return {
    path,
    logRequest: (event) => written(() => sink.write(format.request(event), false)),
    logResponse: (event) => written(() => sink.write(format.response(event), true)),
    hash: hasher.hash,
    open: () => sink.open(),
    reopen: () => sink.reopen(),
    async close() {
      try {
        await sink.close();
      } finally {
        hasher.wipe();
      }
    },
  };
}
