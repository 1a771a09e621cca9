/**
 * Durations as Vault accepts them in policies and config: a number of seconds (number or
 * numeric string), or a Go-style duration string such as "90s", "1h30m", "1.5h", "250ms",
 * with "d" (24h) accepted as well. Negative durations are refused.
 */
import { invalidRequest } from '../../errors.js';

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  'µs': 1e-6,
  'μs': 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
const MAX_SECONDS = Number.MAX_SAFE_INTEGER;

/** Whole seconds (fractions are dropped, as Go's integer division does). */
export function parseDurationSeconds(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > MAX_SECONDS) throw bad(String(value));
    return Math.floor(value);
  }
  const s = value.trim();
  if (/^\d+$/.test(s)) return checked(Number(s), value);
  if (s === '' || s.length > 64) throw bad(value);
  let total = 0;
  PART.lastIndex = s.startsWith('+') ? 1 : 0;
  if (PART.lastIndex === s.length) throw bad(value);
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) throw bad(value);
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  }
  return checked(Math.floor(total + 1e-9), value);
}

function checked(n: number, raw: string): number {
  if (!Number.isFinite(n) || n > MAX_SECONDS) throw bad(raw);
  return n;
}

function bad(raw: string): Error {
  const shown = raw.length > 32 ? raw.slice(0, 32) + '…' : raw;
  return invalidRequest(`invalid duration ${JSON.stringify(shown)}: use seconds or a duration such as "90s", "1h30m"`);
}
