/**
 * ACL policies at rest (`sys/policy/<name>` behind the barrier) and their compiled form.
 * Compiled ACLs are cached per policy set and dropped whenever any policy changes, so a
 * request never parses or compiles a policy.
 */
import type { Storage } from '../logical/storage.js';
import {
  assertPolicyNameDeletable,
  assertPolicyNameWritable,
  compileAcl,
  DEFAULT_POLICY_NAME,
  defaultPolicyText,
  normalizePolicyName,
  parsePolicy,
  RESPONSE_WRAPPING_POLICY_NAME,
  RESPONSE_WRAPPING_POLICY_TEXT,
  ROOT_ACL,
  ROOT_POLICY_NAME,
  type Acl,
  type Policy,
} from './policy/index.js';
import type { IdentityFacts } from './policy/path-template.js';

const PREFIX = 'sys/policy/';
// Distinct policy sets compiled and kept; past it the cache starts over (identity policies
// multiply the sets a server sees, and each costs a compiled ACL).
const MAX_CACHED_ACLS = 10_000;

export class PolicyStore {
  private readonly policies = new Map<string, Policy>();
  private readonly acls = new Map<string, Acl>();
  /** Stored policies this version cannot parse: a token holding one gets nothing at all (see load). */
  private readonly unreadable = new Set<string>();
  // Every request of a token brings the same policy array object: found by identity first,
  // without joining the names into a key (a measurable part of a request's cost).
  private byList = new WeakMap<readonly string[], Acl>();

  constructor(
    private readonly storage: Storage,
    /** The caller's entity for templated policy paths (policy/path-template.ts). */
    private readonly identityFacts: (entityId: string) => IdentityFacts | undefined = () => undefined,
  ) {}

  /**
   * Reads every policy into memory; writes the default policy on first start. A stored policy
   * that no longer parses (written before a rule of this version, such as the checks on
   * `{{identity…}}` templates) is named in the result, and until it is written again or
   * deleted every token holding it is denied everything: its deny rules cannot be honoured,
   * so nothing its other policies grant may be either. That fails closed without keeping the
   * server sealed.
   */
  async load(): Promise<{ unreadable: { name: string; error: string }[] }> {
    this.clear();
    const unreadable: { name: string; error: string }[] = [];
    const names = await this.storage.list(PREFIX);
    for (const name of names) {
      const raw = await this.storage.get(PREFIX + name);
      if (!raw) continue;
      try {
        this.policies.set(name, parsePolicy(name, raw.toString('utf8')));
      } catch (err) {
        this.unreadable.add(name);
        unreadable.push({ name, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (!this.policies.has(DEFAULT_POLICY_NAME) && !names.includes(DEFAULT_POLICY_NAME)) await this.put(DEFAULT_POLICY_NAME, defaultPolicyText);
    // Built in, never stored: a stale stored copy cannot widen what wrapping tokens may do.
    this.policies.set(RESPONSE_WRAPPING_POLICY_NAME, parsePolicy(RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT));
    return { unreadable };
  }

  clear(): void {
    this.policies.clear();
    this.unreadable.clear();
    this.forgetAcls();
  }

  private forgetAcls(): void {
    this.acls.clear();
    this.byList = new WeakMap();
  }

  /** Names a token may be given: the built-in response-wrapping policy is left out, as Vault lists them. */
  list(): string[] {
    return [...this.policies.keys(), ROOT_POLICY_NAME].filter((n) => n !== RESPONSE_WRAPPING_POLICY_NAME).sort();
  }

  get(name: string): Policy | undefined {
    return this.policies.get(normalizePolicyName(name));
  }

  has(name: string): boolean {
    const n = normalizePolicyName(name);
    return n === ROOT_POLICY_NAME || this.policies.has(n);
  }

  /** Validates, then persists; the policy text is stored as given. */
  async put(rawName: string, text: string): Promise<Policy> {
    const name = normalizePolicyName(rawName);
    assertPolicyNameWritable(name);
    const policy = parsePolicy(name, text);
    await this.storage.put(PREFIX + name, Buffer.from(text, 'utf8'));
    this.policies.set(name, policy);
    this.unreadable.delete(name);
    this.forgetAcls();
    return policy;
  }

  async delete(rawName: string): Promise<void> {
    const name = normalizePolicyName(rawName);
    assertPolicyNameDeletable(name);
    await this.storage.delete(PREFIX + name);
    this.policies.delete(name);
    this.unreadable.delete(name);
    this.forgetAcls();
  }

  /**
   * The ACL for a token's policy names. Only a token whose stored policies contain exactly
   * `root` gets root: names are normalized when the token is created, so `ROOT` or ` root`
   * cannot arrive here as anything but the name of a policy that does not exist.
   */
  aclFor(names: readonly string[], entityId = ''): Acl {
    const acl = this.aclOfNames(names);
    // Templated paths are filled in for the caller's entity; without one they match nothing.
    return acl.forIdentity ? acl.forIdentity(entityId === '' ? undefined : this.identityFacts(entityId)) : acl;
  }

  private aclOfNames(names: readonly string[]): Acl {
    let acl = this.byList.get(names);
    if (acl) return acl;
    const key = names.join('\n');
    acl = this.acls.get(key);
    if (!acl) {
      if (names.includes(ROOT_POLICY_NAME)) {
        acl = ROOT_ACL;
      } else if (names.some((n) => this.unreadable.has(n))) {
        acl = compileAcl([]);
      } else {
        const policies: Policy[] = [];
        for (const name of names) {
          const p = this.policies.get(name);
          if (p) policies.push(p);
        }
        acl = compileAcl(policies);
      }
      if (this.acls.size >= MAX_CACHED_ACLS) this.acls.clear();
      this.acls.set(key, acl);
    }
    this.byList.set(names, acl);
    return acl;
  }
}
