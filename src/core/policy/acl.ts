/**
 * Compiled ACLs. `compileAcl` merges the rules of a token's policies once; `check` then
 * answers per request: find the deciding rule (exact beats any wildcard; among wildcards,
 * Vault's priority order picks one, and capabilities are never united across different
 * patterns), test the operation's capability, the wrapping TTL bounds and the parameter
 * constraints. Results for the common outcomes are built at compile time.
 *
 * Operations: read, list, create, update, patch, delete and scan each need the capability
 * of the same name. `help` is allowed when the deciding rule grants any capability other
 * than deny (Vault answers help for any token; we ask for some access to the path).
 * Parameter constraints apply to read, create, update and patch, as in Vault (for reads they
 * see the query parameters). Wrapping: a rule with max_wrapping_ttl or min_wrapping_ttl
 * demands that the request be response-wrapped with a TTL inside the bounds; a request
 * without a wrap TTL is refused there.
 */
import type { Operation } from '../../logical/request.js';
import { checkParams, compileParams, type ParamRules } from './parameters.js';
import { PathMatcher } from './path-matcher.js';
import { couldMatchUnder, parsePathPattern, type PathPattern } from './path-pattern.js';
import { resolvePathTemplate, type IdentityFacts } from './path-template.js';
import { ROOT_POLICY_NAME } from './policy-name.js';
import { mergeRules } from './rule-merge.js';
import { CAPABILITIES, type Acl, type AclCheckInput, type AclResult, type Capability, type PathRule, type Policy } from './types.js';

const BIT: Record<Capability, number> = {
  create: 1,
  read: 2,
  update: 4,
  patch: 8,
  delete: 16,
  list: 32,
  sudo: 64,
  deny: 128,
  scan: 256,
  subscribe: 512,
};
const OPERATION_BIT: Record<Exclude<Operation, 'help'>, number> = {
  read: BIT.read,
  list: BIT.list,
  create: BIT.create,
  update: BIT.update,
  patch: BIT.patch,
  delete: BIT.delete,
  scan: BIT.scan,
  subscribe: BIT.subscribe,
};
const PARAMETER_OPERATIONS: ReadonlySet<Operation> = new Set(['read', 'create', 'update', 'patch']);

interface CompiledRule {
  readonly pattern: PathPattern;
  readonly bits: number;
  readonly sorted: readonly Capability[];
  readonly params: ParamRules | undefined;
  readonly minWrap: number;
  readonly maxWrap: number;
  readonly allowed: AclResult;
  readonly notGranted: AclResult;
  readonly wrapRefused: AclResult;
}

const freeze = <T extends object>(o: T): T => Object.freeze(o);
const NONE: readonly Capability[] = freeze([]);
const NO_MATCH: AclResult = freeze({ allowed: false, rootPrivs: false, capabilities: NONE, reason: 'no policy rule matches this path' });
const ROOT_CAPABILITIES: readonly Capability[] = freeze(CAPABILITIES.filter((c) => c !== 'deny'));
const ROOT_RESULT: AclResult = freeze({ allowed: true, rootPrivs: true, capabilities: ROOT_CAPABILITIES });

function compileRule(rule: PathRule, pattern: PathPattern): CompiledRule {
  let bits = 0;
  for (const c of rule.capabilities) bits |= BIT[c];
  if (bits & BIT.deny) bits = BIT.deny;
  const sorted = freeze(CAPABILITIES.filter((c) => bits & BIT[c]));
  const rootPrivs = (bits & BIT.sudo) !== 0;
  const result = (allowed: boolean, reason?: string): AclResult =>
    freeze(reason === undefined ? { allowed, rootPrivs, capabilities: sorted } : { allowed, rootPrivs, capabilities: sorted, reason });
  return {
    pattern,
    bits,
    sorted,
    params: bits & BIT.deny ? undefined : compileParams(rule),
    minWrap: rule.minWrappingTtl ?? 0,
    maxWrap: rule.maxWrappingTtl ?? 0,
    allowed: result(true),
    notGranted: result(false, bits & BIT.deny ? 'denied by policy' : 'operation not granted by policy'),
    wrapRefused: result(false, 'response wrapping TTL outside the bounds the policy requires'),
  };
}

class CompiledAcl implements Acl {
  readonly isRoot = false;
  private readonly matcher: PathMatcher<CompiledRule>;

  constructor(rules: Iterable<{ rule: PathRule; pattern: PathPattern }>) {
    const compiled: CompiledRule[] = [];
    for (const r of rules) compiled.push(compileRule(r.rule, r.pattern));
    this.matcher = new PathMatcher(compiled);
  }

  check(input: AclCheckInput): AclResult {
    const op = input.operation;
    const rule = this.matcher.find(input.path, op === 'list');
    if (!rule) return NO_MATCH;
    if (rule.bits & BIT.deny) return rule.notGranted;
    if (op === 'help') return rule.bits ? rule.allowed : rule.notGranted;
    if (!(rule.bits & OPERATION_BIT[op])) return rule.notGranted;
    if (rule.maxWrap || rule.minWrap) {
      const ttl = input.wrapTtl;
      if (ttl === undefined) return rule.wrapRefused;
      if (rule.maxWrap && ttl > rule.maxWrap) return rule.wrapRefused;
      if (rule.minWrap && ttl < rule.minWrap) return rule.wrapRefused;
      if (rule.maxWrap && rule.minWrap && rule.maxWrap < rule.minWrap) return rule.wrapRefused;
    }
    if (rule.params && PARAMETER_OPERATIONS.has(op)) {
      const reason = checkParams(rule.params, input.data);
      if (reason !== undefined) return { allowed: false, rootPrivs: rule.allowed.rootPrivs, capabilities: rule.sorted, reason };
    }
    return rule.allowed;
  }

  capabilities(path: string): Array<Capability | 'root'> {
    const rule = this.matcher.find(path, true);
    if (!rule || !rule.bits || rule.bits & BIT.deny) return ['deny'];
    return [...rule.sorted];
  }

  hasAnyAccessUnder(prefix: string): boolean {
    if (this.capabilities(prefix)[0] !== 'deny') return true;
    for (const r of this.matcher.all()) {
      if (r.bits && !(r.bits & BIT.deny) && couldMatchUnder(r.pattern, prefix)) return true;
    }
    return false;
  }
}

class RootAcl implements Acl {
  readonly isRoot = true;
  check(): AclResult {
    return ROOT_RESULT;
  }
  capabilities(): Array<Capability | 'root'> {
    return ['root'];
  }
  hasAnyAccessUnder(): boolean {
    return true;
  }
}

/** The ACL of a root token: everything, sudo included. */
export const ROOT_ACL: Acl = new RootAcl();

/**
 * The ACL of a policy set with templated paths. Alone it answers as if every templated path
 * were absent (a caller without an entity); `forIdentity` gives the ACL for one entity as it
 * is now, compiled once per entity version: the identity store hands out a new facts object
 * on every change to the entity or its groups, so a stale one is never found again.
 */
class TemplatedAcl implements Acl {
  readonly isRoot = false;
  private readonly plain: Acl;
  private readonly byFacts = new WeakMap<IdentityFacts, Acl>();

  constructor(private readonly policies: readonly Policy[]) {
    this.plain = build(policies, undefined);
  }

  forIdentity(facts: IdentityFacts | undefined): Acl {
    if (!facts) return this.plain;
    let acl = this.byFacts.get(facts);
    if (!acl) this.byFacts.set(facts, (acl = build(this.policies, facts)));
    return acl;
  }

  check(input: AclCheckInput): AclResult {
    return this.plain.check(input);
  }
  capabilities(path: string): Array<Capability | 'root'> {
    return this.plain.capabilities(path);
  }
  hasAnyAccessUnder(prefix: string): boolean {
    return this.plain.hasAnyAccessUnder(prefix);
  }
}

/**
 * One ACL for a set of policies. The policy named `root` makes the ACL root (everything
 * allowed, sudo included). Rules naming the same pattern in several policies are merged.
 */
export function compileAcl(policies: readonly Policy[]): Acl {
  if (policies.some((p) => p.name === ROOT_POLICY_NAME)) return ROOT_ACL;
  if (policies.some((p) => p.rules.some((r) => r.template))) return new TemplatedAcl(policies);
  return build(policies, undefined);
}

function build(policies: readonly Policy[], facts: IdentityFacts | undefined): Acl {
  const byPattern = new Map<string, { rule: PathRule; pattern: PathPattern }>();
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const pattern = rule.template ? facts && resolvePathTemplate(rule.template, facts) : parsePathPattern(rule.pattern);
      if (!pattern) continue;
      // Same text is not always the same pattern: a `*` filled in from a template is literal.
      const key = `${pattern.stem}\0${pattern.endsWithGlob ? '*' : ''}\0${pattern.plusAt.join(',')}`;
      const prev = byPattern.get(key);
      byPattern.set(key, { rule: prev ? mergeRules(prev.rule, rule) : rule, pattern: prev?.pattern ?? pattern });
    }
  }
  return new CompiledAcl(byPattern.values());
}
