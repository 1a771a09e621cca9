/**
 * Password policies (Vault's `sys/policies/password`): a length and charset rules, written
 * in HCL or JSON. Parsed and checked once at write time so an impossible policy is a 400
 * there, never a generation loop later.
 *
 * Generation is constructive, not rejection sampling: each rule's min-chars are drawn from
 * its own charset, the rest from the union, then the whole is shuffled. Every draw uses
 * crypto.randomInt (uniform, no modulo bias), so the output is as unpredictable as the
 * union charset allows while the rules hold by construction.
 */
import { randomInt } from 'node:crypto';
import { blocks, getOwn, HclError, isObject, parseHcl } from '../../hcl/index.js';

export const MIN_PASSWORD_LENGTH = 4;
export const MAX_PASSWORD_LENGTH = 100;
/** Vault caps a policy's union charset at 255 characters (one byte picks one). */
const MAX_CHARSET = 255;
const MAX_POLICY_BYTES = 64 * 1024;

export interface CharsetRule {
  /** Distinct characters (code points), in the order first written. */
  charset: string[];
  minChars: number;
}

export interface PasswordPolicy {
  length: number;
  rules: CharsetRule[];
  /** Union of every rule's charset, distinct. */
  charset: string[];
}

/** Thrown for a policy that is malformed or cannot be satisfied; the message names why. */
export class PasswordPolicyError extends Error {
  override name = 'PasswordPolicyError';
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Vault's built-in generator (engines without a password_policy): 20 characters, one each of lower, upper, digit and `-`. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = buildPolicy(20, [
  { charset: [...LOWER], minChars: 1 },
  { charset: [...UPPER], minChars: 1 },
  { charset: [...DIGITS], minChars: 1 },
  { charset: ['-'], minChars: 1 },
]);

/**
 * The text as Vault accepts it: HCL or JSON, or either of them base64-encoded (clients do
 * that to avoid escaping). Only strict, whole base64 that decodes to UTF-8 is decoded.
 */
export function decodePolicyText(raw: string): string {
  const t = raw.trim();
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return raw;
  const bytes = Buffer.from(t, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return raw;
  }
}

export function parsePasswordPolicy(text: string): PasswordPolicy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw new PasswordPolicyError(`policy is larger than ${MAX_POLICY_BYTES} bytes`);
  let tree: Record<string, unknown>;
  let ruleBlocks: ReturnType<typeof blocks>;
  try {
    tree = parseHcl(text, { maxBytes: MAX_POLICY_BYTES });
    ruleBlocks = blocks(tree, 'rule', 1);
  } catch (err) {
    if (err instanceof HclError) throw new PasswordPolicyError(`unable to decode: ${err.message}`);
    throw err;
  }
  for (const key of Object.keys(tree)) {
    if (key !== 'length' && key !== 'rule') throw new PasswordPolicyError(`unknown key "${key}": a policy has "length" and "rule" blocks`);
  }
  const length = getOwn(tree, 'length');
  const n = typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : length;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new PasswordPolicyError('"length" must be an integer');
  const rules = ruleBlocks.map((block) => {
    const type = block.labels[0]!;
    if (type !== 'charset') throw new PasswordPolicyError(`unknown rule type "${type}": only "charset" rules exist`);
    return parseCharsetRule(block.body);
  });
  return buildPolicy(n, rules);
}

function parseCharsetRule(body: Record<string, unknown>): CharsetRule {
  if (!isObject(body)) throw new PasswordPolicyError('a charset rule must be a block');
  for (const key of Object.keys(body)) {
    if (key !== 'charset' && key !== 'min-chars') throw new PasswordPolicyError(`unknown field "${key}" in a charset rule: use "charset" and "min-chars"`);
  }
  const charset = getOwn(body, 'charset');
  if (typeof charset !== 'string') throw new PasswordPolicyError('a charset rule needs "charset", a string');
  const rawMin = getOwn(body, 'min-chars') ?? 0;
  const minChars = typeof rawMin === 'string' && /^\d+$/.test(rawMin) ? Number(rawMin) : rawMin;
  if (typeof minChars !== 'number' || !Number.isInteger(minChars) || minChars < 0) throw new PasswordPolicyError('"min-chars" must be a whole number, 0 or more');
  return { charset: distinct([...charset]), minChars };
}

function distinct(chars: string[]): string[] {
  return [...new Set(chars)];
}

/** Checks everything that would make generation impossible; the one place a policy is validated. */
function buildPolicy(length: number, rules: CharsetRule[]): PasswordPolicy {
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(`passwords must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (rules.length === 0) throw new PasswordPolicyError('no charset specified: add at least one rule "charset"');
  for (const rule of rules) {
    if (rule.charset.length === 0) throw new PasswordPolicyError('a charset rule has an empty charset');
    if (rule.charset.some((c) => !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c))) throw new PasswordPolicyError('non-printable character in charset');
  }
  const need = rules.reduce((sum, r) => sum + r.minChars, 0);
  if (need > length) throw new PasswordPolicyError(`specified rules require at least ${need} characters but ${length} is specified`);
  const charset = distinct(rules.flatMap((r) => r.charset));
  if (charset.length > MAX_CHARSET) throw new PasswordPolicyError(`charset is too long: limited to ${MAX_CHARSET} characters`);
  return { length, rules, charset };
}

export function generatePassword(policy: PasswordPolicy): string {
  const out: string[] = [];
  for (const rule of policy.rules) {
    for (let i = 0; i < rule.minChars; i++) out.push(rule.charset[randomInt(rule.charset.length)]!);
  }
  while (out.length < policy.length) out.push(policy.charset[randomInt(policy.charset.length)]!);
  // Fisher–Yates: the required characters must not sit at predictable positions.
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.join('');
}
