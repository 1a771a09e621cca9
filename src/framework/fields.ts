/**
 * Field types that accept what Vault clients actually send: query strings for reads, JSON
 * for writes (the framework drops `null` values first: clients send them for "unset"),
 * durations as seconds or Go-style strings, lists as arrays or comma-separated strings. Each is a zod schema so one table gives validation, handler
 * types and OpenAPI.
 */
import { z } from 'zod';
import { MAX_DURATION_SECONDS, parseDuration } from './duration.js';

export { MAX_DURATION_SECONDS, parseDuration };

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
    z.union([z.number(), z.string()]).transform((v, ctx) => {
      const seconds = parseDuration(v);
      if (seconds !== undefined) return seconds;
      ctx.addIssue({ code: 'custom', message: `expected a duration such as 30, "30s" or "1h", of at most ${MAX_DURATION_SECONDS / (365 * 86400)} years` });
      return z.NEVER;
    }),
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
