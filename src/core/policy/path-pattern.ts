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
  /**
   * Offsets in `stem` of the `+` characters that are wildcards, ascending. Every whole `+`
   * segment of a written pattern; in a templated one only those of the template's own text.
   */
  plusAt: readonly number[];
}

export const MAX_PATTERN_LENGTH = 4096;

export function parsePathPattern(raw: string, shown = JSON.stringify(raw.length > 80 ? raw.slice(0, 80) + '…' : raw)): PathPattern {
  const pattern = raw.replace(/^\/+/, '');
  if (pattern === '') throw invalidRequest(`path ${shown}: the pattern must not be empty`);
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalidRequest(`path ${shown}: the pattern is too long`);
  if (/[\u0000-\u001f\u007f]/.test(pattern)) throw invalidRequest(`path ${shown}: control characters are not allowed`);
  const star = pattern.indexOf('*');
  if (star !== -1 && star !== pattern.length - 1) {
    throw invalidRequest(`path ${shown}: "*" is only allowed at the end of a pattern`);
  }
  const endsWithGlob = star !== -1;
  const stem = endsWithGlob ? pattern.slice(0, -1) : pattern;
  for (const seg of pattern.split('/')) {
    if (seg !== '+' && seg.includes('+')) {
      throw invalidRequest(`path ${shown}: "+" must be a whole path segment, as in "secret/+/config"`);
    }
  }
  const plusAt: number[] = [];
  for (let at = stem.indexOf('+'); at !== -1; at = stem.indexOf('+', at + 1)) plusAt.push(at);
  return buildPathPattern(pattern, stem, endsWithGlob, plusAt);
}

/** Describes a validated pattern whose wildcards are known: `plusAt` as in PathPattern. */
export function buildPathPattern(pattern: string, stem: string, endsWithGlob: boolean, plusAt: readonly number[]): PathPattern {
  const firstWildcard = plusAt.length ? plusAt[0]! : stem.length;
  return {
    pattern,
    kind: plusAt.length ? 'segments' : endsWithGlob ? 'prefix' : 'exact',
    literalPrefix: stem.slice(0, firstWildcard),
    firstWildcard,
    endsWithGlob,
    plusCount: plusAt.length,
    stem,
    plusAt,
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
  let nextPlus = 0;
  while (i < prefix.length) {
    if (j >= pat.length) return p.endsWithGlob;
    const c = pat.charCodeAt(j);
    if (p.plusAt[nextPlus] === j) {
      nextPlus++;
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
