/**
 * The `token_*` parameters every Vault auth method shares (users, roles): the fields, how a
 * write changes them (with the deprecated spellings each method still accepts), the shape a
 * read answers, and the `auth` a login returns from them. One module so userpass, approle
 * and the methods to come configure tokens alike.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { f } from '../../framework/fields.js';
import type { AuthInfo } from '../../logical/request.js';
import { checkCidrList } from '../../framework/cidr.js';

export interface TokenParams {
  policies: string[];
  /** seconds; 0 = the mount's default */
  ttl: number;
  /** seconds; 0 = the mount's max */
  maxTtl: number;
  explicitMaxTtl: number;
  period: number;
  boundCidrs: string[];
  numUses: number;
  noDefaultPolicy: boolean;
  /** As configured: `default` or `service` (batch tokens do not exist here). */
  type: 'default' | 'service';
}

export const defaultTokenParams = (): TokenParams => ({
  policies: [],
  ttl: 0,
  maxTtl: 0,
  explicitMaxTtl: 0,
  period: 0,
  boundCidrs: [],
  numUses: 0,
  noDefaultPolicy: false,
  type: 'default',
});

export const tokenFields = {
  token_policies: f.commaList().optional().describe('Policies of the tokens issued'),
  token_ttl: f.duration().optional().describe('Initial TTL of the tokens issued'),
  token_max_ttl: f.duration().optional().describe('Maximum lifetime of the tokens issued'),
  token_explicit_max_ttl: f.duration().optional().describe('A hard limit no renewal passes'),
  token_period: f.duration().optional().describe('Makes the tokens periodic: renewable forever, by this period at a time'),
  token_bound_cidrs: f.commaList().optional().describe('CIDR blocks the tokens may be used from'),
  token_num_uses: f.int().optional().describe('Uses of each token; 0 = unlimited'),
  token_no_default_policy: f.bool().optional().describe('Leave the default policy off the tokens'),
  token_type: z.string().optional().describe('"service" or "default" (batch tokens are not supported)'),
};

/** Deprecated spellings, each the old name of one token_ field. Methods pick theirs. */
export const legacyTokenFields = {
  policies: f.commaList().optional().describe('Deprecated: use token_policies'),
  ttl: f.duration().optional().describe('Deprecated: use token_ttl'),
  max_ttl: f.duration().optional().describe('Deprecated: use token_max_ttl'),
  period: f.duration().optional().describe('Deprecated: use token_period'),
  bound_cidrs: f.commaList().optional().describe('Deprecated: use token_bound_cidrs'),
};

export type TokenFieldValues = Partial<{
  token_policies: string[];
  token_ttl: number;
  token_max_ttl: number;
  token_explicit_max_ttl: number;
  token_period: number;
  token_bound_cidrs: string[];
  token_num_uses: number;
  token_no_default_policy: boolean;
  token_type: string;
  policies: string[];
  ttl: number;
  max_ttl: number;
  period: number;
  bound_cidrs: string[];
}>;

/** What a policy can be named (core's rule), so a login never fails on a name no policy can have. */
const POLICY_NAME = /^[a-z0-9_.@-]{1,128}$/;

/** Trimmed, lower-cased, deduplicated and sorted, as Vault's policy parsing leaves them. */
const cleanPolicies = (list: string[]) => [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))].sort();

function parseTokenType(raw: string, warnings: string[]): TokenParams['type'] {
  const type = raw.trim().toLowerCase();
  if (type === '' || type === 'default') return 'default';
  if (type === 'service') return 'service';
  if (type === 'default-service') {
    warnings.push('default-service has no useful meaning; adjusting to service');
    return 'service';
  }
  if (type === 'batch' || type === 'default-batch') throw invalidRequest('token_type "batch" is not supported by this server: batch tokens do not exist here; use "service" or "default"');
  throw invalidRequest(`invalid token_type "${raw.slice(0, 32)}": expected "service" or "default"`);
}

/** Which token_ fields the new name or its deprecated spelling set: the new name wins. */
function pick<T>(current: T, name: T | undefined, legacy: T | undefined): T {
  return name !== undefined ? name : legacy !== undefined ? legacy : current;
}

/**
 * The token parameters after a write: fields given replace the current values, the rest stay.
 * Validates the result as a whole (token_ttl within token_max_ttl, CIDRs, counts).
 */
export function applyTokenFields(current: TokenParams, v: TokenFieldValues, warnings: string[] = []): TokenParams {
  const next: TokenParams = {
    policies: cleanPolicies(pick(current.policies, v.token_policies, v.policies)),
    ttl: pick(current.ttl, v.token_ttl, v.ttl),
    maxTtl: pick(current.maxTtl, v.token_max_ttl, v.max_ttl),
    explicitMaxTtl: v.token_explicit_max_ttl ?? current.explicitMaxTtl,
    period: pick(current.period, v.token_period, v.period),
    boundCidrs: checkCidrList('token_bound_cidrs', pick(current.boundCidrs, v.token_bound_cidrs, v.bound_cidrs)),
    numUses: v.token_num_uses ?? current.numUses,
    noDefaultPolicy: v.token_no_default_policy ?? current.noDefaultPolicy,
    type: v.token_type !== undefined ? parseTokenType(v.token_type, warnings) : current.type,
  };
  if (next.numUses < 0) throw invalidRequest('token_num_uses cannot be negative');
  if (next.ttl > 0 && next.maxTtl > 0 && next.ttl > next.maxTtl) throw invalidRequest('token_ttl cannot be greater than token_max_ttl');
  for (const p of next.policies) {
    if (p === 'root' || p === 'response-wrapping') throw invalidRequest(`the "${p}" policy cannot be given to tokens issued by an auth method`);
    if (!POLICY_NAME.test(p)) throw invalidRequest(`invalid policy name ${JSON.stringify(p.slice(0, 64))} in token_policies: use letters, digits, "-", "_", "." and "@"`);
  }
  return next;
}

/** Warnings and refusals that depend on the mount: its max TTL caps what the tokens get. */
export function checkAgainstMount(params: TokenParams, mountMaxTtl: number, warnings: string[]): void {
  if (params.period > mountMaxTtl) {
    throw invalidRequest(`token_period of ${params.period}s is greater than the mount's maximum lease TTL of ${mountMaxTtl}s`);
  }
  if (params.maxTtl > mountMaxTtl) {
    warnings.push("token_max_ttl is greater than the mount's maximum TTL; issued tokens' max TTL will be truncated to it");
  }
}

/** The token_ fields of a read answer, as Vault shows them. */
export function tokenParamsData(params: TokenParams): Record<string, unknown> {
  return {
    token_bound_cidrs: [...params.boundCidrs],
    token_explicit_max_ttl: params.explicitMaxTtl,
    token_max_ttl: params.maxTtl,
    token_no_default_policy: params.noDefaultPolicy,
    token_num_uses: params.numUses,
    token_period: params.period,
    token_policies: [...params.policies],
    token_ttl: params.ttl,
    token_type: params.type,
  };
}

/** `tokenParamsData` plus the deprecated names Vault still shows beside the token_ ones. */
export function tokenParamsDataWithLegacyNames(params: TokenParams): Record<string, unknown> {
  return {
    ...tokenParamsData(params),
    policies: [...params.policies],
    ttl: params.ttl,
    max_ttl: params.maxTtl,
    period: params.period,
    bound_cidrs: [...params.boundCidrs],
    num_uses: params.numUses,
  };
}

/** What a login returns for core to turn into a token. */
export function tokenAuth(params: TokenParams): Pick<AuthInfo, 'policies' | 'ttl' | 'maxTtl' | 'explicitMaxTtl' | 'period' | 'numUses' | 'noDefaultPolicy' | 'boundCidrs' | 'renewable' | 'tokenType'> {
  return {
    policies: [...params.policies],
    ttl: params.ttl,
    maxTtl: params.maxTtl,
    explicitMaxTtl: params.explicitMaxTtl,
    period: params.period,
    numUses: params.numUses,
    noDefaultPolicy: params.noDefaultPolicy,
    boundCidrs: params.boundCidrs.length > 0 ? [...params.boundCidrs] : undefined,
    renewable: true,
    tokenType: params.type,
  };
}

/** The policies a token issued from `params` holds, as core stores them (for renewal checks). */
export function expectedTokenPolicies(params: TokenParams): string[] {
  const set = new Set(params.policies);
  if (!params.noDefaultPolicy) set.add('default');
  return [...set].sort();
}
