/**
 * Durations as Vault takes them everywhere (fields, policies, config files): whole seconds
 * as a number or numeric string, or a Go-style string such as "90s", "1h30m", "1.5h",
 * "250ms", with "d" (24h) accepted too. One parser for all of them.
 */

/**
 * The longest duration anything accepts: 1,000 years. Past it, `now + ttl` stops being a
 * date JavaScript can print, and no lease or retention needs more.
 */
export const MAX_DURATION_SECONDS = 1000 * 365 * 86400;

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/** Whole seconds (fractions dropped, as Go's integer division does); undefined when not a duration or too long. */
export function parseDuration(value: unknown): number | undefined {
  let seconds: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    seconds = Math.floor(value);
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return 0;
    if (s.length > 64) return undefined;
    if (/^\d+$/.test(s)) seconds = Number(s);
    else {
      let total = 0;
      PART.lastIndex = s.startsWith('+') ? 1 : 0;
      if (PART.lastIndex === s.length) return undefined;
      while (PART.lastIndex < s.length) {
        const m = PART.exec(s);
        if (!m) return undefined;
        total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
      }
      seconds = Math.floor(total + 1e-9);
    }
  } else {
    return undefined;
  }
  return seconds <= MAX_DURATION_SECONDS ? seconds : undefined;
}
