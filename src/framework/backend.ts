/**
 * The declarative backend: one table of paths per engine or auth method. From it come
 * request parsing and validation, dispatch, existence checks, help and OpenAPI.
 */
import { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import type { Operation, Request, Response } from '../logical/request.js';
import type { Storage } from '../logical/storage.js';
import { compilePattern, type CompiledPattern } from './pattern.js';

export interface MountConfig {
  /** seconds; 0 = the system default */
  default_lease_ttl: number;
  max_lease_ttl: number;
}

export interface MountInfo {
  /** e.g. `secret/` or `auth/userpass/` as routed (auth mounts carry the `auth/` prefix). */
  path: string;
  type: string;
  uuid: string;
  accessor: string;
  description: string;
  config: MountConfig;
  options: Record<string, string>;
  local: boolean;
  sealWrap: boolean;
}

/** What a handler may know about the caller: never the raw token. */
export interface CallerInfo {
  accessor: string;
  /** The policies the request is checked against: the token's own and its entity's (identity). */
  policies: string[];
  displayName: string;
  entityId: string;
  /** Per-token private storage prefix (cubbyhole). */
  cubbyholeId: string;
  isRoot: boolean;
  /** unix seconds: when the token was issued (OIDC's auth_time and max_age). */
  issuedAt?: number;
}

export interface HandlerContext<F = Record<string, unknown>> {
  req: Request;
  /** Validated fields (path parameters, body or query) as declared. */
  fields: F;
  /** The request data as sent, nulls dropped (engines that store arbitrary keys read this). */
  raw: Record<string, unknown>;
  storage: Storage;
  logger: Logger;
  mount: MountInfo;
  system: { defaultLeaseTtl: number; maxLeaseTtl: number };
  caller?: CallerInfo;
  /**
   * Whether the caller's policies allow `operation` on a path of this mount (relative to
   * it): for answers that must only name what the caller may read (filtered LIST/SCAN).
   */
  allowed?: (relPath: string, operation: Operation) => boolean;
  clock: () => number;
  random: (bytes: number) => Buffer;
  /** The mount's failed-login tracking; only for backends that declare `userLockout`. */
  lockout?: LoginLockout;
  /** Passwords from sys/policies/password (database credentials); absent outside a mount. */
  passwords?: PasswordSource;
  /** Publishes change notifications for sys/events/subscribe; absent outside a mount. */
  events?: EventSender;
  /** The caller's entity as identity knows it now (PKI role templates); absent outside a mount. */
  identity?: IdentitySource;
}

/**
 * How an engine tells subscribers that something changed: call it once per operation, after
 * the change is committed (never for a failed request). Best-effort: nothing waits for
 * subscribers and a slow one misses events. `metadata` must never hold a secret value; paths
 * are relative to the mount (`data/foo`), the core prefixes the mount path. `readPath` is
 * where a subscriber must be allowed to read to see the event (default: `data_path`, else `path`).
 */
export interface EventSender {
  send(eventType: string, metadata: Record<string, string>, readPath?: string): void;
}

/** What an engine may read of an entity: its name, metadata and aliases, never its policies. */
export interface IdentitySource {
  entity(entityId: string): { name: string; metadata: Record<string, string>; aliases: { mountAccessor: string; name: string }[] } | undefined;
}

/** What an engine may ask of the server's password policies: a fresh password, nothing else. */
export interface PasswordSource {
  /** From the named policy, or Vault's default generator when `policy` is empty; 400 for an unknown name. */
  generate(policy?: string): Promise<string>;
}

/**
 * Vault's user lockout, as one auth mount sees it: failed logins counted per alias (a
 * normalized username, a role id), a lock after too many within the mount's window. The
 * state lives in core (sys/locked-users lists and unlocks it); the method decides when a
 * login failed, so a locked user can be answered exactly like a wrong password.
 */
export interface LoginLockout {
  isLocked(alias: string): boolean;
  recordFailure(alias: string): Promise<void>;
  recordSuccess(alias: string): void;
}

/** What a login stored on a token, handed to its method before the token is renewed. */
export interface LoginRenewal {
  /** The token's creation path below the mount, e.g. `login/alice`. */
  relPath: string;
  meta: Record<string, string>;
  /** The token's policies as stored (normalized, `default` included unless left out). */
  policies: string[];
  /** What the login put in AuthInfo.internalData (strings only). */
  internalData: Record<string, string>;
  /** The request asking for the renewal (its TLS connection: the cert method checks the certificate). */
  req?: Request;
}

export type Handler<F> = (ctx: HandlerContext<F>) => Promise<Response | null | void> | Response | null | void;

type Shape = Record<string, z.ZodType>;
type Fields<S extends Shape> = z.infer<z.ZodObject<S>>;

export interface PathHelp {
  synopsis: string;
  description?: string;
}

export interface PathSpec<S extends Shape> {
  pattern: string;
  fields?: S;
  operations: Partial<Record<Exclude<Operation, 'help'>, Handler<Fields<S>>>>;
  /** Decides create vs update for a write, before ACLs are checked. */
  existenceCheck?: (ctx: HandlerContext<Fields<S>>) => Promise<boolean> | boolean;
  help?: PathHelp;
  /** Keys outside `fields` are expected (arbitrary secret data): no "ignored parameters" warning. */
  acceptsAnyField?: boolean;
  /** Left out of the OpenAPI document: a catch-all that only explains a misused path. */
  unpublished?: boolean;
}

export interface PathDefinition {
  spec: PathSpec<Shape>;
  pattern: CompiledPattern;
  schema: z.ZodObject<Shape>;
}

export function definePath<S extends Shape>(spec: PathSpec<S>): PathDefinition {
  const pattern = compilePattern(spec.pattern);
  const fields = (spec.fields ?? {}) as Shape;
  for (const param of pattern.params) {
    if (!fields[param]) throw new Error(`path ${spec.pattern}: parameter "${param}" has no field`);
  }
  return { spec: spec as unknown as PathSpec<Shape>, pattern, schema: z.object(fields) };
}

/** A handler context without a request: lease renewal and revocation, periodic work, cleanup. */
export type BackgroundContext = Omit<HandlerContext, 'fields' | 'raw' | 'req'>;

/** What a backend learns about one of its leases when asked to renew or revoke it. */
export interface LeaseInfo {
  leaseId: string;
  internalData: Record<string, unknown>;
  /** unix ms */
  issueTime: number;
  expireTime: number;
}

/** A backend's answer to a renewal: it may shorten the TTL; core caps it at the lease's max. */
export interface LeaseRenewal {
  /** seconds; absent = the requested increment, or the mount's default */
  ttl?: number;
  data?: Record<string, unknown>;
  warnings?: string[];
}

export interface LeaseType {
  type: string;
  /** Extends the secret in the system that issued it. Absent: leases of this type are not renewable. */
  renew?: (ctx: BackgroundContext, lease: LeaseInfo & { increment: number }) => Promise<LeaseRenewal | void>;
  /** Revokes the secret where it lives; a throw is retried with backoff. Must be idempotent. */
  revoke: (ctx: BackgroundContext, lease: LeaseInfo) => Promise<void>;
}

export interface BackendSpec {
  type: string;
  help: string;
  paths: PathDefinition[];
  secrets?: LeaseType[];
  /** Relative paths (a trailing `*` is a prefix) that need no token: logins. */
  unauthenticated?: string[];
  /**
   * Paths that need no token only where the request's listener allows it (`allows`); anywhere
   * else they are ordinary paths, and a request without a token is refused with `refusal`.
   */
  gatedUnauthenticated?: GatedUnauthenticated[];
  /** Relative paths (a trailing `*` is a prefix) that need the sudo capability. */
  sudo?: string[];
  /**
   * Checks a mount's options when it is enabled (`previous` undefined) or tuned, and
   * returns them normalized; throws invalidRequest for options the backend cannot serve.
   */
  mountOptions?: (next: Record<string, string>, previous?: Record<string, string>) => Record<string, string>;
  /** Auth methods whose logins count failures toward Vault's user lockout (userpass, ldap). */
  userLockout?: boolean;
  /**
   * Auth methods: called before a token one of this mount's logins issued is renewed. Throw
   * (invalidRequest) to refuse: the user or role is gone, or its policies changed.
   */
  renewLogin?: (ctx: BackgroundContext, token: LoginRenewal) => Promise<void>;
  /** Called about once a minute while unsealed. */
  periodic?: (ctx: BackgroundContext) => Promise<void>;
  /**
   * Called in the background once the mount is routed: after every unseal and when it is
   * enabled. For work that must resume after a restart (a rotation that was under way).
   * Failures are logged; requests are served meanwhile.
   */
  initialize?: (ctx: BackgroundContext) => Promise<void>;
  /** Called when the mount is disabled, before its storage is cleared. */
  cleanup?: (ctx: BackgroundContext) => Promise<void>;
  /**
   * Called when the server seals or the mount goes away: drop (and zero) whatever the
   * backend kept in memory from its storage (a salt, cached entries). Synchronous.
   */
  forget?: () => void;
}

export interface GatedUnauthenticated {
  /** Relative paths (a trailing `*` is a prefix). */
  paths: string[];
  allows: (req: Request) => boolean;
  /** The 403's message for a request without a token where the gate is shut: name the setting. */
  refusal: string;
}

export interface Backend extends BackendSpec {
  /** `req` decides the gated paths; without it they need a token. */
  isUnauthenticated(relPath: string, req?: Request): boolean;
  /** Why a request without a token is refused on this path, when there is more to say than 403. */
  unauthenticatedRefusal(relPath: string): string | undefined;
  needsSudo(relPath: string): boolean;
}

/**
 * Matches Vault's special-path lists: exact entries, prefixes written with a trailing `*`, and
 * entries with `+` standing for one whole segment (pki's `issuer/+/pem`: the certificate is
 * public, the issuer's settings beside it are not).
 */
export function compileSpecialPaths(entries: string[] = []): (relPath: string) => boolean {
  const segmented = entries.filter((e) => e.split('/').includes('+')).map((e) => e.split('/'));
  const plain = entries.filter((e) => !e.split('/').includes('+'));
  const exact = new Set(plain.filter((e) => !e.endsWith('*')));
  const prefixes = plain.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1));
  const segmentsMatch = (relPath: string) => {
    const parts = relPath.split('/');
    return segmented.some((want) => want.length === parts.length && want.every((w, i) => (w === '+' ? parts[i] !== '' : w === parts[i])));
  };
  return (relPath) => {
    if (exact.has(relPath)) return true;
    for (const p of prefixes) if (relPath.startsWith(p)) return true;
    return segmented.length > 0 && segmentsMatch(relPath);
  };
}

export function defineBackend(spec: BackendSpec): Backend {
  const open = compileSpecialPaths(spec.unauthenticated);
  const gates = (spec.gatedUnauthenticated ?? []).map((g) => ({ ...g, matches: compileSpecialPaths(g.paths) }));
  const gateOf = (relPath: string) => gates.find((g) => g.matches(relPath));
  return {
    ...spec,
    // Most backends have no gates: keep their check the bare list lookup (every request runs it).
    isUnauthenticated:
      gates.length === 0
        ? open
        : (relPath, req) => {
            if (open(relPath)) return true;
            const gate = gateOf(relPath);
            return gate !== undefined && req !== undefined && gate.allows(req);
          },
    unauthenticatedRefusal: (relPath) => gateOf(relPath)?.refusal,
    needsSudo: compileSpecialPaths(spec.sudo),
  };
}
