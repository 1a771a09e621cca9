/**
 * The `options` of an audit device, checked once at enable (and again when the table is
 * loaded on unseal). Options arrive as strings (clients send `"log_raw": "true"` as often
 * as `true`; sys/audit stores and lists them as strings). Every refusal names the option.
 */
import { isIP } from 'node:net';
import { invalidRequest } from '../../errors.js';
import { parseDuration } from '../../framework/fields.js';
import type { EntryOptions } from './audit-entry.js';
import type { SocketTarget } from './sinks/socket-sink.js';
import { SYSLOG_FACILITIES, type SyslogTarget } from './sinks/syslog-sink.js';

export const AUDIT_DEVICE_TYPES = ['file', 'socket', 'syslog'] as const;
export type AuditDeviceType = (typeof AUDIT_DEVICE_TYPES)[number];

export type FileDestination = { kind: 'stdout' } | { kind: 'discard' } | { kind: 'path'; path: string; mode: number | null };

export type DeviceConfig = { entry: EntryOptions } & (
  | { type: 'file'; destination: FileDestination }
  | { type: 'socket'; target: SocketTarget; timeoutMs: number }
  | { type: 'syslog'; target: SyslogTarget }
);

const COMMON_OPTIONS = ['format', 'prefix', 'log_raw', 'hmac_accessor', 'elide_list_responses'];
const TYPE_OPTIONS: Record<AuditDeviceType, string[]> = {
  file: ['file_path', 'path', 'mode'],
  socket: ['address', 'socket_type', 'write_timeout'],
  syslog: ['facility', 'tag', 'address'],
};

export const isAuditDeviceType = (type: string): type is AuditDeviceType => (AUDIT_DEVICE_TYPES as readonly string[]).includes(type);

const bad = (option: string, problem: string) => invalidRequest(`invalid audit device option "${option}": ${problem}`);

/** Go's strconv.ParseBool spellings, which Vault's options accept. */
function bool(options: Record<string, string>, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined || v === '') return fallback;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw bad(name, `expected true or false, got "${v}"`);
}

export function parseDeviceOptions(type: string, options: Record<string, string>): DeviceConfig {
  if (!isAuditDeviceType(type)) throw invalidRequest(`unknown audit device type "${type}": use file, socket or syslog`);
  const known = new Set([...COMMON_OPTIONS, ...TYPE_OPTIONS[type]]);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw invalidRequest(`unknown option "${name}" for a ${type} audit device (known: ${[...known].join(', ')})`);
  }
  const format = options.format ?? '';
  if (format !== '' && format !== 'json') throw bad('format', `only "json" is supported, got "${format}"`);
  const prefix = options.prefix ?? '';
  if (/[\r\n]/.test(prefix)) throw bad('prefix', 'it may not contain a line break');
  const entry: EntryOptions = {
    logRaw: bool(options, 'log_raw', false),
    hmacAccessor: bool(options, 'hmac_accessor', true),
    prefix,
    elideListResponses: bool(options, 'elide_list_responses', false),
  };
  switch (type) {
    case 'file':
      return { type, entry, destination: fileDestination(options) };
    case 'socket':
      return { type, entry, ...socketTarget(options) };
    case 'syslog':
      return { type, entry, target: syslogTarget(options) };
  }
}

function fileDestination(options: Record<string, string>): FileDestination {
  if (options.file_path !== undefined && options.path !== undefined) throw bad('path', 'give file_path only ("path" is its old name)');
  const name = options.file_path !== undefined ? 'file_path' : 'path';
  const filePath = (options.file_path ?? options.path ?? '').trim();
  if (filePath === '') throw invalidRequest('the file audit device needs the "file_path" option: an absolute path, "stdout" or "discard"');
  if (filePath === 'stdout') return { kind: 'stdout' };
  if (filePath === 'discard') return { kind: 'discard' };
  if (!filePath.startsWith('/')) throw bad(name, `"${filePath}" is not an absolute path (or "stdout" or "discard")`);
  if (filePath.includes('\0')) throw bad(name, 'it may not contain a NUL byte');
  return { kind: 'path', path: filePath, mode: fileMode(options.mode) };
}

/** An octal string such as "0600"; "0000" leaves the file's mode alone. Execute bits are never given. */
function fileMode(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return 0o600;
  if (!/^0?[0-7]{3}$/.test(text.trim())) throw bad('mode', `expected an octal permission string such as "0600", got "${text}"`);
  const mode = parseInt(text.trim(), 8);
  return mode === 0 ? null : mode & 0o666;
}

/** `host:port`, `[v6]:port`. */
export function splitHostPort(text: string, option: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port <= 65535)) throw bad(option, `expected host:port, got "${text}"`);
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && isIP(host) !== 6) throw bad(option, `"${host}" is not an IPv6 address`);
  return { host, port };
}

function socketTarget(options: Record<string, string>): { target: SocketTarget; timeoutMs: number } {
  const address = (options.address ?? '').trim();
  if (address === '') throw invalidRequest('the socket audit device needs the "address" option: host:port for tcp, a socket path for unix');
  const socketType = (options.socket_type ?? 'tcp').trim() || 'tcp';
  let target: SocketTarget;
  if (socketType === 'tcp') target = { kind: 'tcp', ...splitHostPort(address, 'address') };
  else if (socketType === 'unix') {
    if (!address.startsWith('/')) throw bad('address', `a unix socket address must be an absolute path, got "${address}"`);
    target = { kind: 'unix', path: address };
  } else throw bad('socket_type', `use "tcp" or "unix", got "${socketType}"`);
  return { target, timeoutMs: writeTimeout(options.write_timeout) };
}

function writeTimeout(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 2000;
  const seconds = parseDuration(text);
  if (seconds === undefined) throw bad('write_timeout', `expected a duration such as "2s", got "${text}"`);
  if (seconds === 0 && !/^0+(\.0*)?[a-zµμ]*$/i.test(text.trim())) throw bad('write_timeout', 'use 0 (no timeout) or at least 1s');
  return seconds * 1000;
}

function syslogTarget(options: Record<string, string>): SyslogTarget {
  const facilityName = (options.facility ?? 'AUTH').trim() || 'AUTH';
  const facility = SYSLOG_FACILITIES[facilityName.toLowerCase()];
  if (facility === undefined) throw bad('facility', `unknown syslog facility "${facilityName}" (e.g. AUTH, AUTHPRIV, DAEMON, LOCAL0…LOCAL7)`);
  const tag = (options.tag ?? 'coffer').trim() || 'coffer';
  // RFC 5424 APP-NAME: printable ASCII without spaces, at most 48 characters.
  if (!/^[!-~]{1,48}$/.test(tag)) throw bad('tag', 'use 1 to 48 printable characters without spaces');
  const { host, port } = splitHostPort(options.address ?? '127.0.0.1:514', 'address');
  return { host, port, facility, tag };
}
