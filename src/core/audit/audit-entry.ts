/**
 * One audit entry per line, in Vault's JSON shape: `{time, type, auth, request, response,
 * error}`. Each device formats with its own salt and options. The request and auth parts
 * of a request's two entries are the same, so the response entry reuses the text built
 * for the request entry instead of hashing and serializing them again.
 */
import { CofferError } from '../../errors.js';
import type { AuthBlock, Response, WrapInfo } from '../../logical/request.js';
import type { MountEntry } from '../mount-table.js';
import type { TokenEntry } from '../token/token-entry.js';
import type { AuditEvent } from './audit-event.js';
import { hashedJson, identity, redactMessage, type AuditHasher, type HashFn } from './audit-hasher.js';

export interface EntryOptions {
  /** Write values as they are, unhashed. */
  logRaw: boolean;
  /** Hash token accessors too (Vault's default). */
  hmacAccessor: boolean;
  /** Written before every entry, on the same line. */
  prefix: string;
  /** A list answer's `keys` and `key_info` become their counts. */
  elideListResponses: boolean;
}

/** Configured request headers (lower-cased names) and whether each is hashed. */
export type AuditedHeaderTable = ReadonlyMap<string, { hmac: boolean }>;

/** Headers that carry credentials: hashed even when configured with hmac = false. */
const CREDENTIAL_HEADERS = new Set(['x-vault-token', 'authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export interface EntryFormatter {
  request(event: AuditEvent): string;
  response(event: AuditEvent): string;
}

interface Shared {
  auth: string;
  request: string;
}

export function createEntryFormatter(options: EntryOptions, hasher: AuditHasher, headers: () => AuditedHeaderTable): EntryFormatter {
  const hash: HashFn = options.logRaw ? identity : hasher.hash;
  const hashAccessor: HashFn = options.logRaw || !options.hmacAccessor ? identity : (a) => hasher.remembered(`a:${a}`, a);
  const hashToken = (raw: string, entry: TokenEntry | null): string => {
    if (options.logRaw) return raw;
    // A valid token is remembered under its stored hash, never under the token itself.
    return entry ? hasher.remembered(`t:${entry.hashedId}`, raw) : hasher.hash(raw);
  };
  // Token entries and mount entries are replaced, never changed in place, when they change:
  // the text built for one stays right for as long as the object lives.
  const tokenText = new WeakMap<TokenEntry, { auth: string; request: string }>();
  const mountText = new WeakMap<MountEntry, string>();
  // The request and response entries of one request share their auth and request parts.
  const shared = new WeakMap<AuditEvent, Shared>();

  const tokenParts = (event: AuditEvent): { auth: string; request: string } => {
    const token = event.token;
    const raw = event.request.clientToken;
    if (!token) return { auth: '{}', request: raw ? `,"client_token":${JSON.stringify(hashToken(raw, null))}` : '' };
    let parts = tokenText.get(token);
    if (!parts) {
      const client = raw ? `,"client_token":${JSON.stringify(hashToken(raw, token))}` : '';
      const accessor = JSON.stringify(hashAccessor(token.accessor));
      parts = { auth: authText(token, client, accessor), request: `${client},"client_token_accessor":${accessor}` };
      tokenText.set(token, parts);
    }
    return parts;
  };

  const mountPart = (event: AuditEvent): string => {
    const mount = event.route;
    if (!mount) return '';
    let text = mountText.get(mount.entry);
    if (text === undefined) {
      text = `"mount_point":${JSON.stringify(mount.routedPath)},"mount_type":${JSON.stringify(mount.entry.type)},"mount_accessor":${JSON.stringify(mount.entry.accessor)}`;
      mountText.set(mount.entry, text);
    }
    return text;
  };

  const sharedParts = (event: AuditEvent): Shared => {
    let parts = shared.get(event);
    if (!parts) {
      const token = tokenParts(event);
      parts = { auth: token.auth, request: requestText(event, mountPart(event), token.request, hash, headers()) };
      shared.set(event, parts);
    }
    return parts;
  };

  const errorPart = (event: AuditEvent): string => {
    if (event.error === undefined) return '';
    const message = errorText(event.error);
    const safe = options.logRaw ? message : redactMessage(message, event.request.data, event.request.clientToken, hasher.hash);
    return `,"error":${JSON.stringify(safe)}`;
  };

  return {
    request(event) {
      const parts = sharedParts(event);
      return `${options.prefix}{"time":"${auditTime()}","type":"request","auth":${parts.auth},"request":${parts.request}${errorPart(event)}}\n`;
    },
    response(event) {
      const parts = sharedParts(event);
      const response = event.response ? `,"response":${responseText(event, event.response, mountPart(event), options, hash, hashAccessor)}` : '';
      return `${options.prefix}{"time":"${auditTime()}","type":"response","auth":${parts.auth},"request":${parts.request}${response}${errorPart(event)}}\n`;
    },
  };
}

function authText(token: TokenEntry, client: string, accessor: string): string {
  const policies = JSON.stringify(token.policies);
  let text = `{${client.slice(1)}${client ? ',' : ''}"accessor":${accessor},"display_name":${JSON.stringify(token.displayName)},"policies":${policies},"token_policies":${policies}`;
  if (Object.keys(token.meta).length > 0) text += `,"metadata":${JSON.stringify(token.meta)}`;
  if (token.entityId) text += `,"entity_id":${JSON.stringify(token.entityId)}`;
  if (token.numUses > 0) text += `,"remaining_uses":${token.numUses}`;
  const issued = new Date(token.creationTime * 1000).toISOString().replace('.000Z', 'Z');
  return `${text},"token_type":${JSON.stringify(token.type)},"token_ttl":${token.ttl},"token_issue_time":"${issued}"}`;
}

function requestText(event: AuditEvent, mount: string, token: string, hash: HashFn, audited: AuditedHeaderTable): string {
  const req = event.request;
  let text = `{"id":${JSON.stringify(req.id)},"operation":"${req.operation}"`;
  if (mount) text += `,${mount}`;
  text += `${token},"namespace":{"id":"root"},"path":${JSON.stringify(req.path)}`;
  if (hasKeys(req.data)) text += `,"data":${hashedJson(req.data, hash, clearKeys(event.route?.entry.config.audit_non_hmac_request_keys))}`;
  if (req.remoteAddress) text += `,"remote_address":${JSON.stringify(req.remoteAddress)}`;
  if (req.wrapTtl !== undefined) text += `,"wrap_ttl":${req.wrapTtl}`;
  if (audited.size > 0) {
    const headers = headersPart(req.headers, audited, hash);
    if (headers) text += `,"headers":${JSON.stringify(headers)}`;
  }
  return text + '}';
}

function headersPart(sent: Record<string, string | string[] | undefined>, audited: AuditedHeaderTable, hash: HashFn): Record<string, string[]> | undefined {
  let out: Record<string, string[]> | undefined;
  for (const [name, { hmac }] of audited) {
    const value = sent[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    const hashed = hmac || CREDENTIAL_HEADERS.has(name);
    (out ??= {})[name] = hashed ? values.map((v) => hash(v)) : [...values];
  }
  return out;
}

function responseText(event: AuditEvent, res: Response, mount: string, options: EntryOptions, hash: HashFn, hashAccessor: HashFn): string {
  const parts: string[] = [];
  if (mount) parts.push(mount);
  if (res.authBlock) parts.push(`"auth":${JSON.stringify(responseAuth(res.authBlock, hash, hashAccessor))}`);
  if (res.leaseId) parts.push(`"secret":${JSON.stringify({ lease_id: res.leaseId })}`);
  let data: unknown = res.data;
  // Answers sent as a bare body (sys/init, help, openapi) are recorded as their data.
  if (res.raw !== undefined) data = res.raw !== null && typeof res.raw === 'object' && !Array.isArray(res.raw) ? res.raw : { http_raw_body: res.raw };
  if (data && hasKeys(data as Record<string, unknown>)) {
    const record = options.elideListResponses && event.request.operation === 'list' ? elideList(data as Record<string, unknown>) : data;
    parts.push(`"data":${hashedJson(record, hash, clearKeys(event.route?.entry.config.audit_non_hmac_response_keys))}`);
  }
  if (res.warnings?.length) parts.push(`"warnings":${JSON.stringify(res.warnings)}`);
  if (res.wrapInfo) parts.push(`"wrap_info":${JSON.stringify(wrapInfoPart(res.wrapInfo, hash, hashAccessor))}`);
  const redirect = res.headers?.['location'];
  if (redirect) parts.push(`"redirect":${JSON.stringify(redirect)}`);
  return `{${parts.join(',')}}`;
}

function responseAuth(auth: AuthBlock, hash: HashFn, hashAccessor: HashFn): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (auth.client_token) out.client_token = hash(auth.client_token);
  if (auth.accessor) out.accessor = hashAccessor(auth.accessor);
  out.policies = auth.policies;
  out.token_policies = auth.token_policies;
  if (auth.identity_policies?.length) out.identity_policies = auth.identity_policies;
  if (auth.metadata) out.metadata = auth.metadata;
  if (auth.num_uses) out.num_uses = auth.num_uses;
  if (auth.entity_id) out.entity_id = auth.entity_id;
  out.token_type = auth.token_type;
  out.token_ttl = auth.lease_duration;
  return out;
}

function wrapInfoPart(info: WrapInfo, hash: HashFn, hashAccessor: HashFn): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ttl: info.ttl,
    token: hash(info.token),
    accessor: hashAccessor(info.accessor),
    creation_time: info.creation_time,
    creation_path: info.creation_path,
  };
  if (info.wrapped_accessor) out.wrapped_accessor = hashAccessor(info.wrapped_accessor);
  return out;
}

/** Vault's elide_list_responses: counts instead of the names a list answered with. */
function elideList(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  if (Array.isArray(out.keys)) out.keys = out.keys.length;
  const info = out.key_info;
  if (info && typeof info === 'object' && !Array.isArray(info)) out.key_info = Object.keys(info).length;
  return out;
}

const clearKeySets = new WeakMap<string[], ReadonlySet<string>>();

function clearKeys(keys: string[] | undefined): ReadonlySet<string> | undefined {
  if (!keys?.length) return undefined;
  let set = clearKeySets.get(keys);
  if (!set) {
    set = new Set(keys);
    clearKeySets.set(keys, set);
  }
  return set;
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

/** The error as the client saw it; anything that is not one of ours is a bug and says no more. */
function errorText(error: unknown): string {
  if (error instanceof CofferError) return error.messages.length ? error.messages.join('; ') : error.kind === 'NotFound' ? 'not found' : error.kind;
  return 'internal error';
}

let clockOffset = Date.now() - performance.now();
let offsetCheckedAt = 0;
let lastMs = -1;
let lastPrefix = '';

/** RFC 3339 with nine fractional digits (`2026-11-24T18:00:00.123456000Z`), as Vault writes times. */
export function auditTime(): string {
  const mono = performance.now();
  // Follow the wall clock when it is stepped, without reading it on every entry.
  if (mono - offsetCheckedAt > 1000) {
    clockOffset = Date.now() - mono;
    offsetCheckedAt = mono;
  }
  const now = clockOffset + mono;
  const ms = Math.floor(now);
  // Entries come many to a millisecond under load: print its date once.
  if (ms !== lastMs) {
    lastMs = ms;
    lastPrefix = new Date(ms).toISOString().slice(0, 23);
  }
  const micros = Math.floor((now - ms) * 1000);
  return `${lastPrefix}${micros < 10 ? '00' : micros < 100 ? '0' : ''}${micros}000Z`;
}
