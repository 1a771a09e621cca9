/**
 * Request bodies: JSON objects only, with limits on nesting depth and on how many values
 * one body may hold, checked in one pass before JSON.parse so a hostile body costs at
 * most a linear scan.
 */
import { invalidRequest } from '../errors.js';

export interface JsonLimits {
  maxDepth: number;
  /** Strings (keys and values) in one body. */
  maxStrings: number;
  /** Entries in one object or array. */
  maxEntries: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 100, maxStrings: 200_000, maxEntries: 100_000 };

function checkShape(text: string, limits: JsonLimits): void {
  const counts: number[] = [];
  let strings = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      strings++;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
      if (strings > limits.maxStrings) throw invalidRequest(`request body has more than ${limits.maxStrings} strings`);
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      counts.push(0);
      if (counts.length > limits.maxDepth) throw invalidRequest(`request body is nested deeper than ${limits.maxDepth} levels`);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      counts.pop();
    } else if (c === 44 /* , */ && counts.length > 0) {
      const n = ++counts[counts.length - 1]!;
      if (n >= limits.maxEntries) throw invalidRequest(`request body has an object or array with more than ${limits.maxEntries} entries`);
    }
  }
}

/** How many times `char` occurs in `text`, counting no further than `limit + 1`. */
function occurrences(text: string, char: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1 && n <= limit; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/**
 * Whether no limit can be reached, judged from character counts alone (native indexOf scans,
 * ~10× cheaper than checkShape's loop on a small body): depth needs that many brackets, each
 * string two quotes, each entry past the first a comma.
 */
function clearlyWithin(text: string, limits: JsonLimits): boolean {
  return (
    occurrences(text, '{', limits.maxDepth) + occurrences(text, '[', limits.maxDepth) <= limits.maxDepth &&
    occurrences(text, '"', 2 * limits.maxStrings) <= 2 * limits.maxStrings &&
    occurrences(text, ',', limits.maxEntries) < limits.maxEntries
  );
}

export function parseJsonBody(raw: Buffer | string | undefined, limits: JsonLimits = DEFAULT_JSON_LIMITS): Record<string, unknown> {
  if (raw === undefined) return {};
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.trim() === '') return {};
  if (!clearlyWithin(text, limits)) checkShape(text, limits);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('failed to parse JSON input: the request body is not valid JSON');
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('request body must be a JSON object');
  return value as Record<string, unknown>;
}
