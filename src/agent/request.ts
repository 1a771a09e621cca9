/**
 * One request with headers of the caller's choosing (a login's token, a wrap TTL), as the
 * agent sends them: the parsed body, or an ApiError naming the request for a status of
 * 400 or more.
 */
import { ApiError, type ApiClient, type HttpMethod } from '../api/client.js';

export async function requestOrThrow<T>(client: ApiClient, method: HttpMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T | null> {
  const res = await client.raw<T & { errors?: string[] }>(method, path, body, headers);
  if (res.status >= 400) throw new ApiError(res.status, res.body?.errors ?? [], client.requestOf(method, path));
  return res.body;
}
