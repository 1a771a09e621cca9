/**
 * Merging two rules for the same pattern, whether they come from repeated blocks in one
 * policy or from several policies of one token (Vault's rules):
 * - `deny` on either side wins: the result denies everything and carries nothing else;
 * - capabilities are united;
 * - parameter lists are united key by key, an empty list (any value) absorbing the other;
 * - required parameters are united;
 * - the smaller non-zero min_wrapping_ttl and the larger max_wrapping_ttl are kept.
 */
import { setOwn } from '../../hcl/index.js';
import type { PathRule } from './types.js';

export function mergeRules(a: PathRule, b: PathRule): PathRule {
  // The pattern (and template) of `a` stands for both: callers merge rules of one pattern.
  const same = a.template ? { pattern: a.pattern, template: a.template } : { pattern: a.pattern };
  if (a.capabilities.has('deny') || b.capabilities.has('deny')) {
    return { ...same, capabilities: new Set(['deny']) };
  }
  const merged: PathRule = { ...same, capabilities: new Set([...a.capabilities, ...b.capabilities]) };
  const allowed = mergeParameterLists(a.allowedParameters, b.allowedParameters);
  if (allowed) merged.allowedParameters = allowed;
  const denied = mergeParameterLists(a.deniedParameters, b.deniedParameters);
  if (denied) merged.deniedParameters = denied;
  if (a.requiredParameters || b.requiredParameters) {
    merged.requiredParameters = [...new Set([...(a.requiredParameters ?? []), ...(b.requiredParameters ?? [])])];
  }
  const min = pickNonZero(a.minWrappingTtl, b.minWrappingTtl, Math.min);
  if (min) merged.minWrappingTtl = min;
  const max = pickNonZero(a.maxWrappingTtl, b.maxWrappingTtl, Math.max);
  if (max) merged.maxWrappingTtl = max;
  return merged;
}

export function mergeParameterLists(
  a: Record<string, unknown[]> | undefined,
  b: Record<string, unknown[]> | undefined,
): Record<string, unknown[]> | undefined {
  if (!a && !b) return undefined;
  const out: Record<string, unknown[]> = {};
  for (const src of [a, b]) {
    if (!src) continue;
    for (const key of Object.keys(src)) {
      const values = src[key]!;
      const prev = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
      if (prev === undefined) setOwn(out, key, [...values]);
      else if (prev.length === 0 || values.length === 0) setOwn(out, key, []);
      else prev.push(...values);
    }
  }
  return out;
}

function pickNonZero(a: number | undefined, b: number | undefined, pick: (x: number, y: number) => number) {
  if (!a) return b;
  if (!b) return a;
  return pick(a, b);
}
