/**
 * Password policies at rest, behind the barrier under `sys/password_policy/<name>`, as the
 * text the operator wrote (read answers it back unchanged). Parsed policies are cached and
 * dropped on every write, delete and seal.
 */
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import { DEFAULT_PASSWORD_POLICY, generatePassword, parsePasswordPolicy, PasswordPolicyError, type PasswordPolicy } from './password-policy.js';

interface StoredPolicy {
  policy: string;
}

export class PasswordPolicyStore {
  private readonly parsed = new Map<string, PasswordPolicy>();

  constructor(private readonly storage: Storage) {}

  list(): Promise<string[]> {
    return this.storage.list('');
  }

  async read(name: string): Promise<string | null> {
    return (await getJson<StoredPolicy>(this.storage, checkName(name)))?.policy ?? null;
  }

  /** Validates first: a policy that cannot produce a password is never stored. */
  async write(name: string, text: string): Promise<void> {
    let policy: PasswordPolicy;
    try {
      policy = parsePasswordPolicy(text);
    } catch (err) {
      if (err instanceof PasswordPolicyError) throw invalidRequest(`invalid password policy: ${err.message}`);
      throw err;
    }
    await putJson(this.storage, checkName(name), { policy: text } satisfies StoredPolicy);
    this.parsed.set(name, policy);
  }

  async delete(name: string): Promise<void> {
    await this.storage.delete(checkName(name));
    this.parsed.delete(name);
  }

  /** A password from the named policy, or from Vault's default generator when `name` is empty. */
  async generate(name?: string): Promise<string> {
    if (!name) return generatePassword(DEFAULT_PASSWORD_POLICY);
    let policy = this.parsed.get(name);
    if (!policy) {
      const text = await this.read(name);
      if (text === null) throw invalidRequest(`password policy "${name}" does not exist`);
      policy = parsePasswordPolicy(text);
      this.parsed.set(name, policy);
    }
    return generatePassword(policy);
  }

  clear(): void {
    this.parsed.clear();
  }
}

function checkName(name: string): string {
  if (name === '' || name.includes('/')) throw invalidRequest('missing or invalid policy name');
  return name;
}
