/**
 * Token roles (`auth/token/roles/:role_name`): stored settings that tokens created through
 * `auth/token/create/:role_name` must follow, and the rules that decide a new token's
 * policies with or without a role.
 */
import { globMatch } from '../../framework/glob.js';
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';

export interface TokenRole {
  name: string;
  allowedPolicies: string[];
  disallowedPolicies: string[];
  allowedPoliciesGlob: string[];
  disallowedPoliciesGlob: string[];
  orphan: boolean;
  renewable: boolean;
  pathSuffix: string;
  allowedEntityAliases: string[];
  explicitMaxTtl: number;
  period: number;
  boundCidrs: string[];
  noDefaultPolicy: boolean;
  numUses: number;
  tokenType: 'default-service' | 'service';
}

export const defaultRole = (name: string): TokenRole => ({
  name, allowedPolicies: [], disallowedPolicies: [], allowedPoliciesGlob: [], disallowedPoliciesGlob: [],
  orphan: false, renewable: true, pathSuffix: '', allowedEntityAliases: [], explicitMaxTtl: 0, period: 0,
  boundCidrs: [], noDefaultPolicy: false, numUses: 0, tokenType: 'default-service',
});

const ROLE_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const PATH_SUFFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Role names are case-insensitive (stored lower-case) and must be a single safe path segment. */
export function roleKey(name: string): string {
  const lower = name.trim().toLowerCase();
  if (!ROLE_NAME.test(lower)) {
    throw invalidRequest('role_name must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return lower;
}

export function checkPathSuffix(suffix: string): void {
  if (suffix !== '' && (!PATH_SUFFIX.test(suffix) || suffix.split('/').some((s) => s === '.' || s === '..'))) {
    throw invalidRequest('path_suffix may hold letters, digits, ".", "_", "-" and "/" separators, and no "." or ".." segment');
  }
}

export const getRole = (storage: Storage, name: string) => getJson<TokenRole>(storage, `roles/${roleKey(name)}`);
export const putRole = (storage: Storage, role: TokenRole) => putJson(storage, `roles/${roleKey(role.name)}`, role);
export const deleteRole = (storage: Storage, name: string) => storage.delete(`roles/${roleKey(name)}`);
export const listRoles = async (storage: Storage) => (await storage.list('roles/')).filter((k) => !k.endsWith('/'));

/** The role as Vault's read answers it (current names plus the deprecated copies clients still read). */
export function roleResponse(role: TokenRole): Record<string, unknown> {
  return {
    name: role.name,
    allowed_policies: [...role.allowedPolicies],
    disallowed_policies: [...role.disallowedPolicies],
    allowed_policies_glob: [...role.allowedPoliciesGlob],
    disallowed_policies_glob: [...role.disallowedPoliciesGlob],
    allowed_entity_aliases: [...role.allowedEntityAliases],
    orphan: role.orphan,
    renewable: role.renewable,
    path_suffix: role.pathSuffix,
    token_explicit_max_ttl: role.explicitMaxTtl,
    explicit_max_ttl: role.explicitMaxTtl,
    token_period: role.period,
    period: role.period,
    token_bound_cidrs: [...role.boundCidrs],
    bound_cidrs: [...role.boundCidrs],
    token_no_default_policy: role.noDefaultPolicy,
    token_num_uses: role.numUses,
    token_type: role.tokenType,
  };
}


/** Whether `alias` is among the role's allowed_entity_aliases (exact or glob; compared lower-cased, as Vault). */
export function entityAliasAllowed(role: TokenRole, alias: string): boolean {
  const name = alias.toLowerCase();
  return role.allowedEntityAliases.some((a) => {
    const pattern = a.toLowerCase();
    return pattern === name || globMatch(pattern, name);
  });
}

const matchesAny = (name: string, exact: string[], globs: string[]) =>
  exact.includes(name) || globs.some((g) => globMatch(g, name));

/** Policies no token may be given by a create request. */
const INTERNAL_POLICIES = new Set(['response-wrapping', 'control-group']);

const clean = (list: readonly string[]) => [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))];

export interface PolicyDecision {
  /** Policies for the store (which adds `default` unless noDefaultPolicy). */
  policies: string[];
  noDefaultPolicy: boolean;
}

/**
 * A new token's policies. Without a role, a non-root caller may only hand out policies it
 * holds itself (`default` is always allowed); with a role, the role's allowed lists replace
 * that rule and its disallowed lists are enforced. Only root callers may grant `root`.
 */
export function decidePolicies(opts: {
  requested: string[] | undefined;
  callerPolicies: string[];
  callerIsRoot: boolean;
  role?: TokenRole;
  noDefaultPolicy: boolean;
}): PolicyDecision {
  const { role, callerIsRoot } = opts;
  const requested = clean(opts.requested ?? []);
  const caller = clean(opts.callerPolicies);
  for (const p of requested) {
    if (INTERNAL_POLICIES.has(p)) throw invalidRequest(`the "${p}" policy is reserved and cannot be assigned to a token`);
    if (p === 'root' && !callerIsRoot) throw invalidRequest('the "root" policy can only be assigned by a root token');
  }
  const disallowed = (p: string) => !!role && matchesAny(p, role.disallowedPolicies, role.disallowedPoliciesGlob);
  const roleRestricts = !!role && (role.allowedPolicies.length > 0 || role.allowedPoliciesGlob.length > 0);
  const noDefaultPolicy = opts.noDefaultPolicy || !!role?.noDefaultPolicy || disallowed('default');

  let policies: string[];
  if (requested.length === 0) {
    // Nothing asked for: the role's allowed list, else the caller's own policies.
    policies = roleRestricts && role!.allowedPolicies.length > 0 ? clean(role!.allowedPolicies) : caller;
    policies = policies.filter((p) => !disallowed(p) && (p !== 'root' || callerIsRoot));
  } else {
    policies = requested;
    for (const p of requested) {
      if (p === 'default') continue;
      if (roleRestricts) {
        if (!matchesAny(p, role!.allowedPolicies, role!.allowedPoliciesGlob)) {
          throw invalidRequest(`policy "${p}" is not among the allowed policies of role "${role!.name}"`);
        }
      } else if (!callerIsRoot && !caller.includes(p)) {
        throw invalidRequest(`policy "${p}" is not held by the calling token: a new token's policies must be a subset of its creator's`);
      }
    }
  }
  for (const p of policies) {
    if (p !== 'default' && disallowed(p)) throw invalidRequest(`policy "${p}" is disallowed by role "${role!.name}"`);
  }
  if (noDefaultPolicy) policies = policies.filter((p) => p !== 'default');
  return { policies, noDefaultPolicy };
}
