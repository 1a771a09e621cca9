/**
 * Response wrapping from the client side: wrap data, unwrap, look up and rewrap wrapping
 * tokens (sys/wrapping/*). Unwrap picks where the wrapping token goes as Vault's Go client
 * does: as the request's own token when the client has none (or holds that same token),
 * else in the body, so a logged-in client can open a token meant for it.
 */
import { ApiError, WRAP_TTL_HEADER, type VaultResponse } from './client.js';
import type { Logical } from './logical.js';

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
}

export interface WrappingLookup {
  creation_path: string;
  creation_time: string;
  creation_ttl: number;
}

type Sent = { token?: string; body?: Record<string, unknown>; wrapTtl?: string };

export function createWrapping(logical: Logical) {
  const client = logical.client;

  async function post(path: string, sent: Sent): Promise<VaultResponse | null> {
    const headers: Record<string, string> = {};
    if (sent.token !== undefined) headers['X-Vault-Token'] = sent.token;
    if (sent.wrapTtl !== undefined) headers[WRAP_TTL_HEADER] = sent.wrapTtl;
    const res = await client.raw<VaultResponse & { errors?: string[] }>('POST', path, sent.body ?? {}, headers);
    if (res.status >= 400) {
      const errors = Array.isArray(res.body?.errors) ? res.body.errors : [];
      throw new ApiError(res.status, errors, client.requestOf('POST', path));
    }
    return res.status === 204 ? null : res.body;
  }

  /** Where a wrapping token travels: the header when it is (or may be) ours, else the body. */
  function naming(token: string | undefined): Sent {
    const wt = token?.trim();
    if (!wt) return {};
    if (!client.token || client.token === wt) return { token: wt };
    return { body: { token: wt } };
  }

  function wrapInfoOf(res: VaultResponse | null): WrapInfo {
    const info = res?.wrap_info as WrapInfo | null | undefined;
    if (!info || typeof info.token !== 'string') throw new Error('the server answered without wrap_info');
    return info;
  }

  return {
    /** Stores `data` in a new wrapping token with this TTL (seconds or a duration such as "5m"). */
    async wrap(data: Record<string, unknown>, ttl: string | number): Promise<WrapInfo> {
      return wrapInfoOf(await post('sys/wrapping/wrap', { body: data, wrapTtl: String(ttl) }));
    },
    /** The wrapped answer (null when it held nothing); without a token, the client's own token is the wrapping token. */
    unwrap(token?: string): Promise<VaultResponse | null> {
      return post('sys/wrapping/unwrap', naming(token));
    },
    /** Creation path, time and TTL of a wrapping token; the token stays usable. Needs no login. */
    async lookup(token: string): Promise<WrappingLookup> {
      const res = await post('sys/wrapping/lookup', { body: { token } });
      return res?.data as unknown as WrappingLookup;
    },
    /** Moves a wrapped answer into a new wrapping token; the old one is revoked. */
    async rewrap(token: string): Promise<WrapInfo> {
      return wrapInfoOf(await post('sys/wrapping/rewrap', { body: { token } }));
    },
  };
}

export type Wrapping = ReturnType<typeof createWrapping>;
