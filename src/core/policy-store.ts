/**
 * ACL policies at rest (`sys/policy/<name>` behind the barrier) and their compiled form.
 * Compiled ACLs are cached per policy set and dropped whenever any policy changes, so a
 * request never parses or compiles a policy.
 */
import { notFound } from '../errors.js';
import type { Storage } from '../logical/storage.js';
import {
  assertPolicyNameDeletable,
  assertPolicyNameWritable,
  compileAcl,
  DEFAULT_POLICY_NAME,
  defaultPolicyText,
  normalizePolicyName,
  parsePolicy,
  type Acl,
  type Policy,
} from './policy/index.js';

const PREFIX = 'sys/policy/';
const ROOT_POLICY = 'root';

export class PolicyStore {
  private readonly policies = new Map<string, Policy>();
  private readonly acls = new Map<string, Acl>();

  constructor(private readonly storage: Storage) {}

  /** Reads every policy into memory; writes the default policy on first start. */
  async load(): Promise<void> {
    this.clear();
    const names = await this.storage.list(PREFIX);
    for (const name of names) {
      const raw = await this.storage.get(PREFIX + name);
      if (raw) this.policies.set(name, parsePolicy(name, raw.toString('utf8')));
    }
    if (!this.policies.has(DEFAULT_POLICY_NAME)) await this.put(DEFAULT_POLICY_NAME, defaultPolicyText);
  }

  clear(): void {
    this.policies.clear();
    this.acls.clear();
  }

  list(): string[] {
    return [...this.policies.keys(), ROOT_POLICY].sort();
  }

  get(name: string): Policy | undefined {
    return this.policies.get(normalizePolicyName(name));
  }

  has(name: string): boolean {
    const n = normalizePolicyName(name);
    return n === ROOT_POLICY || this.policies.has(n);
  }

  /** Validates, then persists; the policy text is stored as given. */
  async put(rawName: string, text: string): Promise<Policy> {
    const name = normalizePolicyName(rawName);
    assertPolicyNameWritable(name);
    const policy = parsePolicy(name, text);
    await this.storage.put(PREFIX + name, Buffer.from(text, 'utf8'));
    this.policies.set(name, policy);
    this.acls.clear();
    return policy;
  }

  async delete(rawName: string): Promise<void> {
    const name = normalizePolicyName(rawName);
    assertPolicyNameDeletable(name);
    await this.storage.delete(PREFIX + name);
    this.policies.delete(name);
    this.acls.clear();
  }

  requirePolicy(rawName: string): Policy {
    const policy = this.get(rawName);
    if (!policy) throw notFound();
    return policy;
  }

  /**
   * The ACL for a token's policy names. Only a token whose stored policies contain exactly
   * `root` gets root: names are normalized when the token is created, so `ROOT` or ` root`
   * cannot arrive here as anything but the name of a policy that does not exist.
   */
  aclFor(names: readonly string[]): Acl {
    const key = names.join('\n');
    let acl = this.acls.get(key);
    if (!acl) {
      const policies: Policy[] = [];
      for (const name of names) {
        if (name === ROOT_POLICY) policies.push({ name: ROOT_POLICY, raw: '', rules: [] } as unknown as Policy);
        const p = this.policies.get(name);
        if (p) policies.push(p);
      }
      acl = compileAcl(policies);
      this.acls.set(key, acl);
    }
    return acl;
  }
}
