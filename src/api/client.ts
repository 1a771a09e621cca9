/**
 * A typed client for the v1 HTTP API. The CLI, the agent and our tests speak to a server
 * only through this.
 */
import { fetchTransport, nodeTransport, type TlsOptions, type Transport } from './transport.js';

export { ConnectionError, type TlsOptions } from './transport.js';

export interface ApiClientOptions {
  address: string;
  token?: string;
  namespace?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * Ask the server to wrap every answer (X-Vault-Wrap-TTL: seconds or a duration such as
   * "5m"). A request that sets the header itself wins; set it to '' to send none.
   */
  wrapTtl?: string;
  /** TLS settings for https addresses; when given, requests go through node:https instead of fetch. */
  tls?: TlsOptions;
  /**
   * `fetch` (the default) or `node` (node:http/https). Short-lived processes such as the CLI
   * want `node`: loading fetch's implementation costs about 100 ms on the first request.
   */
  transport?: 'fetch' | 'node';
}

export interface RawResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null for an empty body. */
  body: T | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    /** The request that failed, when known: for messages such as the Vault CLI's. */
    readonly request?: { method: string; url: string },
  ) {
    super(errors.length ? errors.join('; ') : `request failed with status ${status}`);
  }
}

export interface VaultResponse {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Record<string, unknown> | null;
  wrap_info: Record<string, unknown> | null;
  warnings: string[] | null;
  auth: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** The request header that asks for a wrapped answer. */
export const WRAP_TTL_HEADER = 'X-Vault-Wrap-TTL';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'LIST';

/** `path?k=v&…`; arrays repeat the key. Undefined values are left out. */
export function withQuery(path: string, query: Record<string, string | string[] | undefined> | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${qs}`;
}

/**
 * Each segment percent-encoded, slashes kept, as Go's client sends a path: secret names may
 * hold spaces, `#`, `?` or `%`. `raw` sends paths as given; callers with user-typed paths
 * encode them first.
 */
export function encodePath(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s)).join('/');
}

export function createApiClient(opts: ApiClientOptions) {
  const base = opts.address.replace(/\/+$/, '');
  let token = opts.token;
  const transport: Transport = opts.tls || opts.transport === 'node' ? nodeTransport(opts.tls ?? {}) : fetchTransport();

  async function raw<T = Record<string, unknown>>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse<T>> {
    const h: Record<string, string> = { ...opts.headers, ...headers };
    if (token && h['X-Vault-Token'] === undefined) h['X-Vault-Token'] = token;
    if (opts.wrapTtl && h[WRAP_TTL_HEADER] === undefined) h[WRAP_TTL_HEADER] = opts.wrapTtl;
    if (h[WRAP_TTL_HEADER] === '') delete h[WRAP_TTL_HEADER];
    if (opts.namespace) h['X-Vault-Namespace'] = opts.namespace;
    let url = `${base}/v1/${path.replace(/^\/+/, '')}`;
    let verb: string = method;
    // fetch cannot send the LIST verb; Vault treats GET ?list=true the same.
    if (method === 'LIST') {
      verb = 'GET';
      url += (url.includes('?') ? '&' : '?') + 'list=true';
    }
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    const res = await transport({ method: verb, url, headers: h, body: payload });
    let parsed: T | null = null;
    if (res.text !== '') {
      try {
        parsed = JSON.parse(res.text) as T;
      } catch {
        throw new ApiError(res.status, [`server answered with a body that is not JSON (status ${res.status})`], { method: verb, url });
      }
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async function call(method: HttpMethod, path: string, body?: unknown): Promise<VaultResponse | null> {
    const res = await raw<VaultResponse & { errors?: string[] }>(method, path, body);
    if (res.status >= 400) throw new ApiError(res.status, res.body?.errors ?? [], requestOf(method, path));
    return res.body;
  }

  /** The method and URL a request for `path` goes to, for error messages. */
  function requestOf(method: HttpMethod, path: string): { method: string; url: string } {
    const url = `${base}/v1/${path.replace(/^\/+/, '')}`;
    if (method !== 'LIST') return { method, url };
    return { method: 'GET', url: url + (url.includes('?') ? '&' : '?') + 'list=true' };
  }

  return {
    raw,
    requestOf,
    address: base,
    setToken(t: string | undefined) {
      token = t;
    },
    get token() {
      return token;
    },
    read: (path: string) => call('GET', path),
    list: (path: string) => call('LIST', path),
    write: (path: string, data: Record<string, unknown> = {}) => call('POST', path, data),
    patch: (path: string, data: Record<string, unknown>) => call('PATCH', path, data),
    delete: (path: string) => call('DELETE', path),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
