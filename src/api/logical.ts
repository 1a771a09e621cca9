/**
 * Reads and writes with the answers Vault's own client gives, which its CLI and tools rely on:
 * a 404 on a read or list means "nothing there" (null), unless it carries data or warnings
 * (a deleted kv-v2 version answers 404 with its metadata); 204 means no secret; any other
 * status of 400 or more is an ApiError naming the request.
 */
import { ApiError, encodePath, withQuery, WRAP_TTL_HEADER, type ApiClient, type HttpMethod, type VaultResponse } from './client.js';

export type Secret = VaultResponse;

type Query = Record<string, string | string[] | undefined>;

function hasContent(body: Secret | null): boolean {
  if (!body) return false;
  const data = body.data;
  return (data !== null && typeof data === 'object' && Object.keys(data).length > 0) || (Array.isArray(body.warnings) && body.warnings.length > 0);
}

export function createLogical(client: ApiClient) {
  async function send(method: HttpMethod, path: string, opts: { body?: unknown; query?: Query; headers?: Record<string, string> } = {}) {
    const target = withQuery(encodePath(path.replace(/^\/+/, '')), opts.query);
    const res = await client.raw<Secret & { errors?: string[] }>(method, target, opts.body, opts.headers);
    return { ...res, target };
  }

  function failure(method: HttpMethod, target: string, status: number, body: { errors?: string[] } | null): ApiError {
    const errors = Array.isArray(body?.errors) ? body.errors : [];
    return new ApiError(status, errors, client.requestOf(method, target));
  }

  async function readLike(method: 'GET' | 'LIST', path: string, query?: Query): Promise<Secret | null> {
    const res = await send(method, path, { query });
    if (res.status === 404) return hasContent(res.body) ? res.body : null;
    if (res.status >= 400) throw failure(method, res.target, res.status, res.body);
    return res.body;
  }

  async function writeLike(method: HttpMethod, path: string, body: unknown, query?: Query, headers?: Record<string, string>): Promise<Secret | null> {
    const res = await send(method, path, { body, query, headers });
    if (res.status >= 400) throw failure(method, res.target, res.status, res.body);
    return res.body;
  }

  return {
    client,
    read: (path: string, query?: Query) => readLike('GET', path, query),
    list: (path: string) => readLike('LIST', path),
    write: (path: string, data: Record<string, unknown> = {}) => writeLike('POST', path, data),
    /** A JSON merge patch (RFC 7386), as Vault's PATCH endpoints expect. */
    patch: (path: string, data: Record<string, unknown>) =>
      writeLike('PATCH', path, data, undefined, { 'Content-Type': 'application/merge-patch+json' }),
    delete: (path: string, query?: Query) => writeLike('DELETE', path, undefined, query),
    /**
     * For endpoints that answer a bare JSON body (sys/seal-status, sys/init, sys/unseal…):
     * the body (null when empty), or an ApiError.
     */
    async call<T = Record<string, unknown>>(method: HttpMethod, path: string, body?: unknown, query?: Query): Promise<T | null> {
      const res = await send(method, path, { body, query });
      if (res.status >= 400) throw failure(method, res.target, res.status, res.body);
      return res.body as T | null;
    },
    /**
     * The status and body, whatever the status: for `sys/internal/ui/mounts` probes and the
     * like. Never wrapped, whatever the client's wrap TTL: the caller needs the answer itself.
     */
    async probe(method: HttpMethod, path: string, body?: unknown) {
      const res = await send(method, path, { body, headers: { [WRAP_TTL_HEADER]: '' } });
      return {
        status: res.status,
        body: res.body,
        error: () => failure(method, res.target, res.status, res.body),
      };
    },
  };
}

export type Logical = ReturnType<typeof createLogical>;
