/** Shapes shared by the policy parser and the ACL. */
import type { Operation } from '../../logical/request.js';
import type { IdentityFacts, PathTemplate } from './path-template.js';

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny' | 'scan' | 'subscribe';

/** Every capability, in the (alphabetical) order answers list them. */
export const CAPABILITIES: readonly Capability[] = Object.freeze([
  'create',
  'delete',
  'deny',
  'list',
  'patch',
  'read',
  'scan',
  'subscribe',
  'sudo',
  'update',
]);

export const isCapability = (s: string): s is Capability => (CAPABILITIES as readonly string[]).includes(s);

/** One `path "<pattern>" { ... }` rule, after merging repeated blocks for the same pattern. */
export interface PathRule {
  pattern: string;
  /** Set when the pattern holds `{{identity.…}}` parameters, filled per caller. */
  template?: PathTemplate;
  capabilities: Set<Capability>;
  /** Lower-cased parameter name → allowed values; `[]` means any value; key `*` means any key. */
  allowedParameters?: Record<string, unknown[]>;
  /** Lower-cased parameter name → denied values; `[]` means every value; key `*` denies all. */
  deniedParameters?: Record<string, unknown[]>;
  /** Lower-cased names that must be present. */
  requiredParameters?: string[];
  /** Seconds; a request must ask for response wrapping with at least this TTL. */
  minWrappingTtl?: number;
  /** Seconds; a request must ask for response wrapping with at most this TTL. */
  maxWrappingTtl?: number;
}

export interface Policy {
  /** Normalized name. */
  name: string;
  /** The text as written, HCL or JSON. */
  raw: string;
  rules: PathRule[];
}

export interface AclCheckInput {
  /** Canonical request path without a leading slash; a list keeps its trailing slash. */
  path: string;
  operation: Operation;
  /** Request parameters (body, or query for reads). `null` values count as absent. */
  data?: Record<string, unknown>;
  /** Requested response-wrapping TTL in seconds. */
  wrapTtl?: number;
}

export interface AclResult {
  allowed: boolean;
  /** The matching rule grants `sudo` (always true for root). */
  rootPrivs: boolean;
  /** Capabilities of the rule that decided (every capability but deny for root). Read-only. */
  capabilities: readonly Capability[];
  /** Why access was refused; for logs, never for clients. */
  reason?: string;
}

/** A compiled set of policies. Built once per policy set; `check` is the per-request call. */
export interface Acl {
  readonly isRoot: boolean;
  check(input: AclCheckInput): AclResult;
  /** The `sys/capabilities` answer: sorted names, `['root']` for root, `['deny']` if none. */
  capabilities(path: string): Array<Capability | 'root'>;
  /** Whether some rule grants anything other than deny at or below `prefix` (mount listings). */
  hasAnyAccessUnder(prefix: string): boolean;
  /** Present when some rule is templated: the ACL for a caller with this identity (none: templated rules match nothing). */
  forIdentity?(facts: IdentityFacts | undefined): Acl;
}
