/**
 * OAuth 2.0 pieces of the provider endpoints: errors answered as RFC 6749 JSON
 * (`{error, error_description}`, not Vault's envelope, since OAuth clients read these),
 * client authentication (client_secret_basic, client_secret_post, none for public clients)
 * and the PKCE check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from '../../../logical/request.js';

export type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'login_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_token';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function oauthError(error: OAuthError, description: string, status = error === 'invalid_client' || error === 'invalid_token' ? 401 : 400): Response {
  const headers: Record<string, string> = { ...NO_STORE };
  if (error === 'invalid_client') headers['www-authenticate'] = 'Basic realm="oidc"';
  if (error === 'invalid_token') headers['www-authenticate'] = `Bearer error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
  return { status, raw: { error, error_description: description }, headers };
}

export const oauthAnswer = (body: Record<string, unknown>): Response => ({ raw: body, headers: { ...NO_STORE } });

const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/** The client's credentials as sent: Basic header first, else the body's client_id/client_secret. */
export function clientCredentials(req: Request, body: { client_id?: string; client_secret?: string }): { clientId?: string; secret?: string; malformed?: boolean } {
  const auth = header(req, 'authorization');
  if (auth && /^basic\s+/i.test(auth)) {
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    if (at === -1) return { malformed: true };
    try {
      return { clientId: formDecode(decoded.slice(0, at)), secret: formDecode(decoded.slice(at + 1)) };
    } catch {
      return { malformed: true };
    }
  }
  return { clientId: body.client_id, secret: body.client_secret };
}

export function secretsEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** RFC 7636: whether the verifier matches the challenge the authorization request carried. */
export function pkceMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return secretsEqual(computed, challenge);
}

/** The bearer token of a userinfo request. */
export function bearerOf(req: Request): string | undefined {
  const auth = header(req, 'authorization');
  if (!auth || !/^bearer\s+/i.test(auth)) return undefined;
  return auth.replace(/^bearer\s+/i, '').trim() || undefined;
}
