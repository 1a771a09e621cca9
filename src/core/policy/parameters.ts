/**
 * Parameter constraints of a path rule (allowed_parameters, denied_parameters,
 * required_parameters), compiled once and checked per request without regexes.
 *
 * Semantics (Vault's): required names must all be present; a request with no parameters then
 * passes. Denied: key `*` refuses any parameter; a listed key refuses the values listed, or
 * every value when its list is empty. Allowed: when any key is listed, every parameter must
 * be listed (or `*` listed), and a non-empty value list restricts its values. String values
 * in the lists may be globs: `pre*`, `*suf` or `*mid*`. A list sent in a request is checked
 * element by element (every element must be allowed; any denied element refuses), and may
 * also equal a list written in the policy as a whole. Scalars compare by their text, so the
 * policy value 300 matches both 300 and "300". Keys compare lower-cased; parameters whose
 * value is null count as absent (clients send null for unset fields).
 */
import { hasOwn } from '../../hcl/index.js';
import type { PathRule } from './types.js';

type Matcher =
  | { kind: 'exact' | 'prefix' | 'suffix' | 'contains'; text: string }
  | { kind: 'deep'; value: unknown };

interface ValueSet {
  /** The policy listed the key with an empty list: any value. */
  any: boolean;
  matchers: Matcher[];
}

export interface ParamRules {
  required: readonly string[];
  allowed: Map<string, ValueSet> | undefined;
  allowedAll: boolean;
  denied: Map<string, ValueSet> | undefined;
  deniedAll: boolean;
}

export function compileParams(rule: PathRule): ParamRules | undefined {
  const required = rule.requiredParameters ?? [];
  const allowed = compileValueSets(rule.allowedParameters);
  const denied = compileValueSets(rule.deniedParameters);
  if (!required.length && !allowed && !denied) return undefined;
  return {
    required,
    allowed,
    allowedAll: allowed?.has('*') ?? false,
    denied,
    deniedAll: denied?.has('*') ?? false,
  };
}

function compileValueSets(rec: Record<string, unknown[]> | undefined): Map<string, ValueSet> | undefined {
  if (!rec) return undefined;
  const keys = Object.keys(rec);
  if (!keys.length) return undefined;
  const out = new Map<string, ValueSet>();
  for (const key of keys) {
    const values = rec[key]!;
    out.set(key.toLowerCase(), { any: values.length === 0, matchers: values.map(compileMatcher) });
  }
  return out;
}

function compileMatcher(v: unknown): Matcher {
  if (typeof v === 'number' || typeof v === 'boolean') return { kind: 'exact', text: String(v) };
  if (typeof v !== 'string') return { kind: 'deep', value: v };
  if (v.length < 2) return { kind: 'exact', text: v };
  const head = v.startsWith('*');
  const tail = v.endsWith('*');
  if (head && tail) return { kind: 'contains', text: v.slice(1, -1) };
  if (head) return { kind: 'suffix', text: v.slice(1) };
  if (tail) return { kind: 'prefix', text: v.slice(0, -1) };
  return { kind: 'exact', text: v };
}

/** Undefined when the data passes; otherwise why it does not. */
export function checkParams(p: ParamRules, data: Record<string, unknown> | undefined): string | undefined {
  for (const name of p.required) {
    if (!data || !hasOwn(data, name) || data[name] === null || data[name] === undefined) {
      return `missing required parameter ${shown(name)}`;
    }
  }
  if (!data) return undefined;
  for (const key in data) {
    if (!hasOwn(data, key)) continue;
    const value = data[key];
    if (value === null || value === undefined) continue;
    const lower = key.toLowerCase();
    if (p.denied) {
      if (p.deniedAll) return 'parameters are denied on this path';
      const set = p.denied.get(lower);
      if (set && isDenied(set, value)) return `parameter ${shown(key)} is denied (or has a denied value)`;
    }
    if (p.allowed && !(p.allowedAll && p.allowed.size === 1)) {
      const set = p.allowed.get(lower);
      if (!set) {
        if (!p.allowedAll) return `parameter ${shown(key)} is not allowed`;
      } else if (!isAllowed(set, value)) {
        return `value of parameter ${shown(key)} is not allowed`;
      }
    }
  }
  return undefined;
}

function isAllowed(set: ValueSet, value: unknown): boolean {
  if (set.any) return true;
  if (Array.isArray(value)) {
    if (matchesDeep(set, value)) return true;
    for (const el of value) if (!matchesAny(set, el)) return false;
    return true;
  }
  return matchesAny(set, value);
}

function isDenied(set: ValueSet, value: unknown): boolean {
  if (set.any) return true;
  if (Array.isArray(value)) {
    if (matchesDeep(set, value)) return true;
    for (const el of value) if (matchesAny(set, el)) return true;
    return false;
  }
  return matchesAny(set, value);
}

function matchesDeep(set: ValueSet, value: unknown): boolean {
  for (const m of set.matchers) if (m.kind === 'deep' && deepEqual(m.value, value, 0)) return true;
  return false;
}

function matchesAny(set: ValueSet, value: unknown): boolean {
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  const text = scalar ? String(value) : '';
  for (const m of set.matchers) {
    if (m.kind === 'deep') {
      if (deepEqual(m.value, value, 0)) return true;
      continue;
    }
    if (!scalar) continue;
    switch (m.kind) {
      case 'exact':
        if (text === m.text) return true;
        break;
      case 'prefix':
        if (text.startsWith(m.text)) return true;
        break;
      case 'suffix':
        if (text.endsWith(m.text)) return true;
        break;
      case 'contains':
        if (text.includes(m.text)) return true;
        break;
    }
  }
  return false;
}

/** Structural equality, giving up (unequal) past a modest depth. */
function deepEqual(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (depth > 32 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i], depth + 1)) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k) || !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) {
      return false;
    }
  }
  return true;
}

function shown(name: string): string {
  return JSON.stringify(name.length > 64 ? name.slice(0, 64) + '…' : name);
}
