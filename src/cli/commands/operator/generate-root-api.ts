/**
 * Where `operator generate-root` sends its calls. With a token: OpenBao's
 * sys/generate-root-token/*, which every listener serves to a token with sudo (the answer is
 * in the envelope's data). Without one, or when that path refuses the token (403: no sudo;
 * 404/405: a server without the path), Vault's sys/generate-root/* without a token: the key
 * shares are the authority there, and a listener serves it only when the operator turned
 * disable_unauthed_generate_root_endpoints off, which is how a lost root token is recovered.
 */
import { ApiError, type HttpMethod } from '../../../api/client.js';
import type { Context } from '../../context.js';

const FALL_BACK = new Set([403, 404, 405]);

export async function generateRootCall<T>(ctx: Context, method: HttpMethod, step: 'attempt' | 'update', body?: unknown): Promise<T | null> {
  const api = ctx.api();
  if (api.client.token) {
    try {
      const answer = await api.call<{ data?: T }>(method, `sys/generate-root-token/${step}`, body);
      return answer?.data ?? null;
    } catch (err) {
      if (!(err instanceof ApiError) || !FALL_BACK.has(err.status)) throw err;
      // The unauthenticated path's refusal names the listener setting: that error is the one shown.
    }
  }
  return ctx.apiWithToken(undefined).call<T>(method, `sys/generate-root/${step}`, body);
}
