/**
 * Vault's JSON envelope around a logical response. It lives below core and http alike: the
 * http layer writes it, and response wrapping stores it as the client would have seen it.
 */
import type { Response } from './request.js';

export function envelope(requestId: string, res: Response): Record<string, unknown> {
  const secret = res.secret;
  const body: Record<string, unknown> = {
    request_id: requestId,
    lease_id: res.leaseId ?? '',
    renewable: secret ? secret.renewable : false,
    lease_duration: secret ? Math.floor(secret.ttl) : 0,
    data: res.data ?? null,
    wrap_info: res.wrapInfo ?? null,
    warnings: res.warnings?.length ? res.warnings : null,
    auth: res.authBlock ?? null,
    mount_type: res.mountType ?? '',
  };
  if (res.legacyTopLevel && res.data) {
    // Vault's older sys answers carry the same keys at the top level; the envelope's own
    // fields win where a name collides.
    return { ...res.data, ...body };
  }
  return body;
}
