/**
 * Policy path patterns. A pattern is literal text, optionally with `+` standing for exactly
 * one non-empty path segment, and optionally ending in `*`, which matches any suffix (empty,
 * or containing `/`). Patterns are validated and described once, when a policy is parsed.
 */
import { invalidRequest } from '../../errors.js';

export interface PathPattern {
  /** The pattern as matched (leading slashes removed). */
  pattern: string;
  kind: 'exact' | 'prefix' | 'segments';
  /** Text before the first `+` or `*` (the whole pattern when exact). */
  literalPrefix: string;
  /** Index of the first `+` or `*`; the pattern's length when exact. */
  firstWildcard: number;
  endsWithGlob: boolean;
  plusCount: number;
  /** The pattern without its trailing `*`. */
  stem: string;
}

const MAX_PATTERN_LENGTH = 4096;

export function parsePathPattern(raw: string): PathPattern {
  const pattern = raw.replace(/^\/+/, '');
  const shown = JSON.stringify(raw.length > 80 ? raw.slice(0, 80) + '…' : raw);
  if (pattern === '') throw invalidRequest(`path ${shown}: the pattern must not be empty`);
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalidRequest(`path ${shown}: the pattern is too long`);
  if (/[\u0000-\u001f\u007f]/.test(pattern)) throw invalidRequest(`path ${shown}: control characters are not allowed`);
  const star = pattern.indexOf('*');
  if (star !== -1 && star !== pattern.length - 1) {
    throw invalidRequest(`path ${shown}: "*" is only allowed at the end of a pattern`);
  }
  const endsWithGlob = star !== -1;
  const stem = endsWithGlob ? pattern.slice(0, -1) : pattern;
  let plusCount = 0;
  for (const seg of pattern.split('/')) {
    if (seg === '+') plusCount++;
    else if (seg.includes('+')) {
      throw invalidRequest(`path ${shown}: "+" must be a whole path segment, as in "secret/+/config"`);
    }
  }
  const plus = pattern.indexOf('+');
  if (plusCount === 0) {
    return {
      pattern,
      kind: endsWithGlob ? 'prefix' : 'exact',
      literalPrefix: stem,
      firstWildcard: stem.length,
      endsWithGlob,
      plusCount,
      stem,
    };
  }
  return {
    pattern,
    kind: 'segments',
    literalPrefix: pattern.slice(0, plus),
    firstWildcard: plus,
    endsWithGlob,
    plusCount,
    stem,
  };
}

/**
 * Vault's priority order between two non-exact patterns that both match: positive when `a`
 * wins. A later first wildcard wins; then not ending in `*`; then fewer `+` segments; then
 * the longer pattern; then the lexicographically larger one.
 */
export function comparePriority(a: PathPattern, b: PathPattern): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.endsWithGlob !== b.endsWithGlob) return a.endsWithGlob ? -1 : 1;
  if (a.plusCount !== b.plusCount) return b.plusCount - a.plusCount;
  if (a.stem.length !== b.stem.length) return a.stem.length - b.stem.length;
  return a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0;
}

/** Whether the pattern can match some path that starts with `prefix`. */
export function couldMatchUnder(p: PathPattern, prefix: string): boolean {
  const pat = p.stem;
  let i = 0;
  let j = 0;
  while (i < prefix.length) {
    if (j >= pat.length) return p.endsWithGlob;
    const c = pat.charCodeAt(j);
    const segStart = j === 0 || pat.charCodeAt(j - 1) === 47;
    if (c === 43 && segStart && (j + 1 === pat.length || pat.charCodeAt(j + 1) === 47)) {
      const end = prefix.indexOf('/', i);
      if (end === -1) return true;
      if (end === i) return false;
      i = end;
      j++;
      continue;
    }
    if (c !== prefix.charCodeAt(i)) return false;
    i++;
    j++;
  }
  return true;
}
