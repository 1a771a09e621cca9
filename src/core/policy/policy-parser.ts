/**
 * Policy text (HCL or JSON) to a Policy. Everything is validated here, once, with messages
 * that name the path and the key at fault (and the line, for HCL input).
 *
 * Decisions: an empty (or blank) text is refused; a text with no `path` block (only
 * comments, or `{}` in JSON) is accepted and grants nothing, as Vault does. Top-level keys
 * other than `path` and `name` are refused. Enterprise-only keys (control_group,
 * mfa_methods) are refused rather than ignored, since ignoring them would grant more than
 * the author meant. Repeated blocks for one pattern are merged (see rule-merge.ts).
 */
import { invalidRequest, isCofferError } from '../../errors.js';
import { blocks, HclError, isObject, keyLine, lineOf, parseHcl, setOwn } from '../../hcl/index.js';
import { parseDurationSeconds } from './duration.js';
import { parsePathPattern } from './path-pattern.js';
import { isTemplated, parsePathTemplate, type PathTemplate } from './path-template.js';
import { normalizePolicyName } from './policy-name.js';
import { mergeParameterLists, mergeRules } from './rule-merge.js';
import { CAPABILITIES, isCapability, type Capability, type PathRule, type Policy } from './types.js';

/** Largest policy text accepted, in bytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;

const LEGACY_POLICIES: Record<string, readonly Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const RULE_KEYS = new Set([
  'capabilities',
  'policy',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'comment',
]);
const UNSUPPORTED_KEYS = new Set(['control_group', 'mfa_methods']);

const fail = (detail: string) => invalidRequest(`failed to parse policy: ${detail}`);
const atLine = (line: number | undefined) => (line ? ` (line ${line})` : '');
const quote = (s: string) => JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s);

export function parsePolicy(name: string, text: string): Policy {
  if (typeof text !== 'string' || text.trim() === '') throw fail('the policy text is empty');
  let tree: Record<string, unknown>;
  let pathBlocks;
  try {
    tree = parseHcl(text, { maxBytes: MAX_POLICY_BYTES });
    pathBlocks = blocks(tree, 'path', 1);
  } catch (err) {
    if (err instanceof HclError) throw fail(err.message);
    throw err;
  }
  for (const key of Object.keys(tree)) {
    if (key === 'path') continue;
    if (key === 'name' && typeof tree[key] === 'string') continue;
    throw fail(`unknown top-level key ${quote(key)}${atLine(keyLine(tree, key))}; a policy holds "path" blocks`);
  }
  const rules = new Map<string, PathRule>();
  for (const block of pathBlocks) {
    const rule = parseRule(block.labels[0]!, block.body);
    const prev = rules.get(rule.pattern);
    rules.set(rule.pattern, prev ? mergeRules(prev, rule) : rule);
  }
  return { name: normalizePolicyName(name), raw: text, rules: [...rules.values()] };
}

function parseRule(rawPattern: string, body: Record<string, unknown>): PathRule {
  let pattern: string;
  let template: PathTemplate | undefined;
  try {
    const stripped = rawPattern.replace(/^\/+/, '');
    if (isTemplated(stripped)) {
      template = parsePathTemplate(stripped);
      pattern = stripped;
    } else {
      pattern = parsePathPattern(rawPattern).pattern;
    }
  } catch (err) {
    if (isCofferError(err)) throw fail(err.message + atLine(lineOf(body)));
    throw err;
  }
  const where = `path ${quote(rawPattern)}`;
  const bad = (key: string, detail: string) => fail(`${where}: ${detail}${atLine(keyLine(body, key) ?? lineOf(body))}`);

  for (const key of Object.keys(body)) {
    if (UNSUPPORTED_KEYS.has(key)) throw bad(key, `${quote(key)} is not supported by this server`);
    if (!RULE_KEYS.has(key)) throw bad(key, `unknown key ${quote(key)}`);
  }
  const has = (key: string) => Object.prototype.hasOwnProperty.call(body, key) && body[key] !== undefined;

  const caps = new Set<Capability>();
  if (has('capabilities')) {
    const list = body.capabilities;
    if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) {
      throw bad('capabilities', '"capabilities" must be a list of strings');
    }
    for (const c of list as string[]) {
      if (!isCapability(c)) {
        throw bad('capabilities', `unknown capability ${quote(c)} (expected one of ${CAPABILITIES.join(', ')})`);
      }
      caps.add(c);
    }
  }
  if (has('policy')) {
    const legacy = body.policy;
    const mapped = typeof legacy === 'string' && Object.prototype.hasOwnProperty.call(LEGACY_POLICIES, legacy)
      ? LEGACY_POLICIES[legacy]!
      : undefined;
    if (!mapped) throw bad('policy', `invalid "policy" value (expected "deny", "read", "write" or "sudo")`);
    for (const c of mapped) caps.add(c);
  }
  if (has('comment') && typeof body.comment !== 'string') throw bad('comment', '"comment" must be a string');

  const rule: PathRule = { pattern, capabilities: caps.has('deny') ? new Set(['deny']) : caps };
  if (template) rule.template = template;
  const allowed = parameterLists(body, 'allowed_parameters', bad);
  if (allowed) rule.allowedParameters = allowed;
  const denied = parameterLists(body, 'denied_parameters', bad);
  if (denied) rule.deniedParameters = denied;
  if (has('required_parameters')) {
    const list = body.required_parameters;
    if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) {
      throw bad('required_parameters', '"required_parameters" must be a list of strings');
    }
    rule.requiredParameters = [...new Set((list as string[]).map((s) => s.toLowerCase()))];
  }
  for (const [key, field] of [
    ['min_wrapping_ttl', 'minWrappingTtl'],
    ['max_wrapping_ttl', 'maxWrappingTtl'],
  ] as const) {
    if (!has(key)) continue;
    const v = body[key];
    if (typeof v !== 'string' && typeof v !== 'number') throw bad(key, `${quote(key)} must be a duration`);
    try {
      const seconds = parseDurationSeconds(v);
      if (seconds > 0) rule[field] = seconds;
    } catch (err) {
      if (isCofferError(err)) throw bad(key, `${quote(key)}: ${err.message}`);
      throw err;
    }
  }
  if (rule.minWrappingTtl && rule.maxWrappingTtl && rule.maxWrappingTtl < rule.minWrappingTtl) {
    throw bad('max_wrapping_ttl', '"max_wrapping_ttl" cannot be less than "min_wrapping_ttl"');
  }
  if (caps.has('deny')) return template ? { pattern, template, capabilities: rule.capabilities } : { pattern, capabilities: rule.capabilities };
  return rule;
}

/** `{ key = [values] }`, keys lower-cased; repeated blocks of the same key are merged. */
function parameterLists(
  body: Record<string, unknown>,
  key: 'allowed_parameters' | 'denied_parameters',
  bad: (key: string, detail: string) => Error,
): Record<string, unknown[]> | undefined {
  if (!Object.prototype.hasOwnProperty.call(body, key)) return undefined;
  const raw = body[key];
  const parts = Array.isArray(raw) && raw.every(isObject) ? raw : [raw];
  let out: Record<string, unknown[]> | undefined;
  for (const part of parts) {
    if (!isObject(part)) throw bad(key, `${quote(key)} must be an object of parameter names to lists of values`);
    const one: Record<string, unknown[]> = {};
    for (const name of Object.keys(part)) {
      const values = part[name];
      if (!Array.isArray(values)) throw bad(key, `${quote(key)}: the value of ${quote(name)} must be a list`);
      const lower = name.toLowerCase();
      const prev = Object.prototype.hasOwnProperty.call(one, lower) ? one[lower] : undefined;
      setOwn(one, lower, prev === undefined ? values : prev.length && values.length ? [...prev, ...values] : []);
    }
    out = mergeParameterLists(out, one);
  }
  return out;
}
