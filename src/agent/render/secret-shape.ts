/**
 * What `secret` gives a template: consul-template's Secret, Vault's response with Go's
 * capitalised field names (`.Data`, `.LeaseID`, `.LeaseDuration`, `.Renewable`, `.Warnings`),
 * so `{{ with secret "secret/data/app" }}{{ .Data.data.password }}{{ end }}` works unchanged.
 */
import type { VaultResponse } from '../../api/client.js';

export interface TemplateSecret {
  RequestID: string;
  LeaseID: string;
  LeaseDuration: number;
  Renewable: boolean;
  Data: Record<string, unknown>;
  Warnings: string[] | null;
  Auth: Record<string, unknown> | null;
  WrapInfo: Record<string, unknown> | null;
}

export function toTemplateSecret(res: VaultResponse): TemplateSecret {
  return {
    RequestID: res.request_id ?? '',
    LeaseID: res.lease_id ?? '',
    LeaseDuration: res.lease_duration ?? 0,
    Renewable: res.renewable ?? false,
    Data: res.data ?? {},
    Warnings: res.warnings ?? null,
    Auth: res.auth ? authShape(res.auth) : null,
    WrapInfo: res.wrap_info ?? null,
  };
}

/** The auth block as Go's SecretAuth names it. */
function authShape(a: Record<string, unknown>): Record<string, unknown> {
  return {
    ClientToken: a.client_token,
    Accessor: a.accessor,
    Policies: a.policies,
    Metadata: a.metadata,
    LeaseDuration: a.lease_duration,
    Renewable: a.renewable,
  };
}
