/**
 * Field types that accept what Vault clients actually send: query strings for reads, JSON
 * for writes (the framework drops `null` values first: clients send them for "unset"), durations as seconds or Go-style strings, lists as arrays
 * or comma-separated strings. Each is a zod schema so one table gives validation, handler
 * types and OpenAPI.
 */
import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds from `90`, `"90"`, `"90s"`, `"1h30m"`, `"768h"`; undefined when not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || consumed === 0) return undefined;
  return Math.floor(total);
}

export const f = {
  string: () => z.string(),
  /** Integers from numbers or numeric strings (query parameters arrive as strings). */
  int: () =>
    z.preprocess(
      (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
      z.number().int(),
    ),
  bool: () =>
    z.preprocess((v) => {
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true' || t === '1' || t === '') return true;
        if (t === 'false' || t === '0') return false;
      }
      return v;
    }, z.boolean()),
  /** Seconds, from a number or a duration string. */
  duration: () =>
    z.preprocess((v) => {
      const d = parseDuration(v);
      return d === undefined ? v : d;
    }, z.number().int().nonnegative({ message: 'expected a duration such as 30, "30s" or "1h"' })),
  /** A list from an array or a comma-separated string; entries trimmed, empties dropped. */
  commaList: () =>
    z.preprocess((v) => {
      if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (Array.isArray(v)) return v.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '');
      return v;
    }, z.array(z.string())),
  stringMap: () => z.record(z.string(), z.string()),
  map: () => z.record(z.string(), z.unknown()),
};
