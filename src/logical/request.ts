/**
 * The logical request and response that flow through core.handle. Vault operations, not
 * HTTP verbs: the http layer translates once.
 */
/** `subscribe`: the upgrade request of sys/events/subscribe, never an HTTP verb of its own. */
export type Operation = 'read' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'scan' | 'help' | 'subscribe';

export const OPERATIONS: readonly Operation[] = ['read', 'list', 'create', 'update', 'patch', 'delete', 'scan', 'help'];

/**
 * The unauthenticated endpoints the listener a request came through serves without a token
 * (its `disable_unauthed_*_endpoints` settings turned off). Absent: none of them.
 */
export interface ListenerAccess {
  /** sys/rekey/* and sys/rekey-recovery-key/* */
  unauthedRekey: boolean;
  /** sys/generate-root/* */
  unauthedGenerateRoot: boolean;
}

/** What the transport knows of the client beyond its address: set by the http layer only. */
export interface ConnectionInfo {
  tls: boolean;
  /**
   * The client's certificates from the TLS handshake, leaf first, as DER; empty when it sent
   * none. Never read from headers: only a TLS socket fills this.
   */
  peerCertificates(): Buffer[];
}

export interface Request {
  /** uuid, echoed as `request_id`. */
  id: string;
  operation: Operation;
  /** Canonical path below /v1/, without a leading slash. A trailing slash is kept. */
  path: string;
  /** Parsed JSON body, or query parameters for read/list/delete. Never null. */
  data: Record<string, unknown>;
  /** Raw client token as sent, if any. */
  clientToken?: string;
  remoteAddress?: string;
  /** The TLS connection the request came over; absent on plain HTTP. */
  connection?: ConnectionInfo;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** Requested response-wrapping TTL in seconds (X-Vault-Wrap-TTL). */
  wrapTtl?: number;
  /** Set by the http layer from the listener's configuration. */
  listener?: ListenerAccess;
  /**
   * The body as sent, for the binary types some paths take instead of JSON (RAW_BODY_TYPES in
   * src/http/request-adapter.ts: OCSP requests); `data` is then empty.
   */
  body?: Buffer;
}

export interface LeaseOptions {
  /** seconds */
  ttl: number;
  maxTtl?: number;
  renewable: boolean;
}

export interface SecretInfo extends LeaseOptions {
  /** Lease type declared by the backend (`secrets: [{ type }]`). */
  type: string;
  /** Kept with the lease, handed back to renew/revoke; never shown to the client. */
  internalData?: Record<string, unknown>;
}

/** What an auth method returns from a login: core turns it into a token. */
export interface AuthInfo {
  policies: string[];
  displayName?: string;
  metadata?: Record<string, string>;
  /** seconds; 0 = mount/system default */
  ttl?: number;
  maxTtl?: number;
  explicitMaxTtl?: number;
  period?: number;
  renewable?: boolean;
  numUses?: number;
  noDefaultPolicy?: boolean;
  boundCidrs?: string[];
  /** `service`, `default` or absent: a service token. `batch` is refused (Coffer has none). */
  tokenType?: string;
  internalData?: Record<string, unknown>;
  /** The identity alias this login maps to (mount accessor + name), for identity to use. */
  alias?: { name: string; metadata?: Record<string, string> };
  /**
   * Groups the login names in its source (a JWT's groups claim): the entity's membership in
   * the external groups whose group alias (this mount, a name) matches. Absent: left as is.
   */
  groupAliases?: { name: string }[];
}

/** `auth.mfa_requirement` of a login that must pass MFA first (sys/mfa/validate completes it). */
export interface MfaRequirementBlock {
  mfa_request_id: string;
  mfa_constraints: Record<string, { any: { type: string; id: string; uses_passcode: boolean; name: string }[] }>;
}

/** The auth block of Vault's envelope, as clients parse it. */
export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  identity_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: 'service' | 'batch';
  orphan: boolean;
  /** Set when a login waits for MFA (then there is no token yet). */
  mfa_requirement: MfaRequirementBlock | null;
  num_uses: number;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
}

export interface Response {
  /** HTTP status when not the default (200 with a body, 204 without). */
  status?: number;
  data?: Record<string, unknown> | null;
  /** A secret with a lease; core registers the lease and fills lease_id. */
  secret?: SecretInfo;
  /** Login: core creates the token. */
  auth?: AuthInfo;
  /** Already-created token (token store answers). */
  authBlock?: AuthBlock;
  warnings?: string[];
  /** Filled by core when the response was wrapped: the envelope's `wrap_info`. */
  wrapInfo?: WrapInfo;
  /**
   * Set by a handler whose answer must only ever travel wrapped (seconds): core wraps it
   * with this TTL, or the client's X-Vault-Wrap-TTL when that is shorter.
   */
  wrapTtl?: number;
  /** Shown as `wrap_info.wrapped_accessor` when this answer is wrapped (a secret's accessor). */
  wrappedAccessor?: string;
  /**
   * Paths whose Vault answer also carries `data`'s keys at the top level of the body
   * (sys/mounts, sys/auth, sys/policy, seal-status…). Set by the handler.
   */
  legacyTopLevel?: boolean;
  /** Send exactly this JSON body (sys/health, sys/init…: Vault answers them bare). */
  raw?: unknown;
  /** Send these bytes as they are, not JSON: PEM and DER certificates (pki `ca/pem`, `crl`). */
  file?: { contentType: string; body: Buffer };
  /** Filled by core: the lease registered for `secret`. */
  leaseId?: string;
  /** Filled by core: the type of the mount that answered (`mount_type` in the envelope). */
  mountType?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
}
