/**
 * JSON over HTTP(S) to the services an auth method trusts (an OIDC provider, a JWKS endpoint,
 * the Kubernetes API): an optional CA bundle, a timeout, a size cap. Failures come back as
 * a FetchError with a message fit for an operator — the URL's origin and what went wrong,
 * never a header (bearer tokens travel in headers).
 */
import http from 'node:http';
import https from 'node:https';

export class FetchError extends Error {
  /** Node's error code (e.g. a TLS verification failure's), for callers that explain it. */
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export interface FetchOptions {
  method?: 'GET' | 'POST';
  /** PEM bundle that replaces the system roots for this request. */
  ca?: string;
  bearer?: string;
  /** HTTP basic credentials (an OAuth client id and secret). */
  basic?: { user: string; password: string };
  body?: unknown;
  /** Sent as application/x-www-form-urlencoded instead of a JSON body. */
  form?: Record<string, string>;
  timeoutMs?: number;
}

const MAX_BODY = 1 << 20;

/** The URL parsed, or a message saying why it cannot be used. */
export function checkUrl(field: string, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${field} is not a valid URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${field} must be an http or https URL`;
  return undefined;
}

/** The parsed JSON body and status; throws FetchError on network errors, timeouts, non-JSON. */
export function fetchJson(rawUrl: string, opts: FetchOptions = {}): Promise<{ status: number; body: unknown }> {
  const url = new URL(rawUrl);
  const where = url.origin + url.pathname;
  const payload = opts.form !== undefined
    ? Buffer.from(new URLSearchParams(opts.form).toString())
    : opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload) headers['content-type'] = opts.form !== undefined ? 'application/x-www-form-urlencoded' : 'application/json';
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.basic) {
    const enc = (v: string) => encodeURIComponent(v);
    headers.authorization = `Basic ${Buffer.from(`${enc(opts.basic.user)}:${enc(opts.basic.password)}`).toString('base64')}`;
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers,
        timeout: opts.timeoutMs ?? 10_000,
        ...(url.protocol === 'https:' && opts.ca ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            req.destroy(new FetchError(`${where} answered more than ${MAX_BODY} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => reject(new FetchError(`${where}: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) });
          } catch {
            reject(new FetchError(`${where} answered ${res.statusCode} with a body that is not JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new FetchError(`${where} did not answer in time`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof FetchError ? e : new FetchError(`could not reach ${where}: ${e.message}`, e.code)));
    req.end(payload);
  });
}
