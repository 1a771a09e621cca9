/**
 * A typed client for the v1 HTTP API. The CLI, the agent and our tests speak to a server
 * only through this.
 */
export interface ApiClientOptions {
  address: string;
  token?: string;
  namespace?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
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

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'LIST';

export function createApiClient(opts: ApiClientOptions) {
  const base = opts.address.replace(/\/+$/, '');
  let token = opts.token;

  async function raw<T = Record<string, unknown>>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse<T>> {
    const h: Record<string, string> = { ...opts.headers, ...headers };
    if (token && h['X-Vault-Token'] === undefined) h['X-Vault-Token'] = token;
    if (opts.namespace) h['X-Vault-Namespace'] = opts.namespace;
    let url = `${base}/v1/${path.replace(/^\/+/, '')}`;
    let verb: string = method;
    // fetch cannot send the LIST verb; Vault treats GET ?list=true the same.
    if (method === 'LIST') {
      verb = 'GET';
      url += (url.includes('?') ? '&' : '?') + 'list=true';
    }
    const init: RequestInit = { method: verb, headers: h };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(url, init);
    const text = await res.text();
    let parsed: T | null = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as T;
      } catch {
        throw new ApiError(res.status, [`server answered with a body that is not JSON (status ${res.status})`]);
      }
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async function call(method: HttpMethod, path: string, body?: unknown): Promise<VaultResponse | null> {
    const res = await raw<VaultResponse & { errors?: string[] }>(method, path, body);
    if (res.status >= 400) throw new ApiError(res.status, res.body?.errors ?? []);
    return res.body;
  }

  return {
    raw,
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
