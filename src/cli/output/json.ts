/**
 * JSON output, indented by two spaces as the Vault CLI prints it. Go sorts map keys when it
 * encodes them; `sortKeys` does the same for values that stand for maps, while envelopes
 * (a secret, a seal status) keep their fixed field order.
 */

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, null, 2);
}

/** A secret in the field order of Vault's `api.Secret`, its data keys sorted. */
export function secretJson(secret: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    request_id: secret.request_id ?? '',
    lease_id: secret.lease_id ?? '',
    lease_duration: secret.lease_duration ?? 0,
    renewable: secret.renewable ?? false,
    data: sortKeys(secret.data ?? null),
    warnings: secret.warnings ?? null,
  };
  if (secret.auth) out.auth = secret.auth;
  if (secret.wrap_info) out.wrap_info = secret.wrap_info;
  if (typeof secret.mount_type === 'string' && secret.mount_type !== '') out.mount_type = secret.mount_type;
  return out;
}
