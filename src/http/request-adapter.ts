/** From an HTTP request to a logical one: path, operation, data, token, wrap TTL. */
import { invalidRequest, unsupportedOperation } from '../errors.js';
import { parseDuration } from '../framework/fields.js';
import type { ConnectionInfo, ListenerAccess, Operation, Request } from '../logical/request.js';
import { parseJsonBody, type JsonLimits } from './json-body.js';

export interface RawHttpRequest {
  id: string;
  method: string;
  /** The raw target, e.g. `/v1/secret/data/x?version=2`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
  remoteAddress: string | undefined;
  connection?: ConnectionInfo;
}

/**
 * Content types whose bodies are handed to the backend as bytes (Request.body) rather than
 * parsed as JSON: what standard clients send that is not JSON (openssl's OCSP requests).
 */
const RAW_BODY_TYPES = ['application/ocsp-request'];

function isRawBody(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return RAW_BODY_TYPES.includes(type);
}

/**
 * OAuth clients post form bodies to an OIDC provider's token endpoint (RFC 6749 §4.1.3), as
 * Vault accepts. curl labels JSON sent with -d as a form too: a body that opens like JSON is JSON.
 */
function isFormBody(contentType: string | undefined, body: Buffer | undefined): boolean {
  if (!contentType || contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return false;
  const first = body?.toString('utf8', 0, 64).trimStart()[0];
  return first !== '{' && first !== '[';
}

const TRUE = new Set(['true', '1', 't', 'yes', '']);

function parseQuery(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function header(h: RawHttpRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function clientTokenOf(headers: RawHttpRequest['headers']): string | undefined {
  const token = header(headers, 'x-vault-token');
  if (token) return token;
  const auth = header(headers, 'authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  return undefined;
}

export function toLogicalRequest(http: RawHttpRequest, limits: JsonLimits, listener?: ListenerAccess): Request {
  const q = http.url.indexOf('?');
  const rawPath = http.url.slice('/v1/'.length, q === -1 ? undefined : q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw invalidRequest('invalid request path: bad percent-encoding');
  }
  const query = q === -1 ? {} : parseQuery(http.url.slice(q + 1));
  const wantsList = typeof query.list === 'string' && TRUE.has(query.list.toLowerCase());
  const wantsHelp = typeof query.help === 'string' && TRUE.has(query.help.toLowerCase());
  const wantsScan = typeof query.scan === 'string' && TRUE.has(query.scan.toLowerCase());
  delete query.list;
  delete query.help;
  delete query.scan;

  let operation: Operation;
  let data: Record<string, unknown>;
  let rawBody: Buffer | undefined;
  switch (http.method) {
    case 'GET':
    case 'HEAD':
      operation = wantsHelp ? 'help' : wantsList ? 'list' : wantsScan ? 'scan' : 'read';
      data = query;
      break;
    case 'LIST':
      operation = 'list';
      data = query;
      break;
    case 'SCAN':
      operation = 'scan';
      data = query;
      break;
    case 'POST':
    case 'PUT':
      operation = 'update';
      if (isRawBody(header(http.headers, 'content-type'))) {
        rawBody = http.body ?? Buffer.alloc(0);
        data = {};
      } else if (isFormBody(header(http.headers, 'content-type'), http.body)) data = parseQuery(http.body?.toString('utf8') ?? '');
      else data = parseJsonBody(http.body, limits);
      break;
    case 'PATCH':
      operation = 'patch';
      data = parseJsonBody(http.body, limits);
      break;
    case 'DELETE':
      operation = 'delete';
      data = query;
      break;
    default:
      throw unsupportedOperation(`unsupported method ${http.method}`);
  }

  let wrapTtl: number | undefined;
  const wrapHeader = header(http.headers, 'x-vault-wrap-ttl');
  if (wrapHeader !== undefined && wrapHeader !== '') {
    wrapTtl = parseDuration(wrapHeader);
    if (wrapTtl === undefined || wrapTtl <= 0) throw invalidRequest('invalid X-Vault-Wrap-TTL header: expected a duration such as 60 or "5m"');
  }

  return {
    id: http.id,
    operation,
    path,
    data,
    clientToken: clientTokenOf(http.headers),
    remoteAddress: http.remoteAddress,
    ...(http.connection ? { connection: http.connection } : {}),
    headers: http.headers,
    wrapTtl,
    listener,
    ...(rawBody ? { body: rawBody } : {}),
  };
}
