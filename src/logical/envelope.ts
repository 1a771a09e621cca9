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

/**
 * `JSON.stringify(envelope(requestId, res))`, written field by field: every API answer goes
 * through it, and this skips building the envelope object, walking its fixed fields and
 * stringifying the ones that are absent (~0.6 µs of ~1.5 for a transit encrypt's answer).
 * envelope.test.ts holds the two to the same text.
 */
export function envelopeJson(requestId: string, res: Response): string {
  if (res.legacyTopLevel && res.data) return JSON.stringify(envelope(requestId, res));
  const secret = res.secret;
  const duration = secret ? Math.floor(secret.ttl) : 0;
  return (
    `{"request_id":${JSON.stringify(requestId)},"lease_id":${res.leaseId ? JSON.stringify(res.leaseId) : '""'}` +
    `,"renewable":${secret ? secret.renewable === true : false},"lease_duration":${Number.isFinite(duration) ? duration : 'null'}` +
    `,"data":${jsonOrNull(res.data)},"wrap_info":${jsonOrNull(res.wrapInfo)}` +
    `,"warnings":${res.warnings?.length ? JSON.stringify(res.warnings) : 'null'},"auth":${jsonOrNull(res.authBlock)}` +
    `,"mount_type":${res.mountType ? JSON.stringify(res.mountType) : '""'}}`
  );
}

function jsonOrNull(value: unknown): string {
  return value === undefined || value === null ? 'null' : JSON.stringify(value);
}

/**
 * An answer sent as a raw body with its own status, shaped as Vault's RespondWithStatusCode
 * shapes it: the envelope's fields without `mount_type`. Clients (the Go client, Ansible)
 * read such a 404's `warnings` to tell a misused path from a missing secret.
 */
export function withStatus(requestId: string, status: number, res: Response): Response {
  const { mount_type: _omitted, ...body } = envelope(requestId, res);
  return { status, raw: body };
}
