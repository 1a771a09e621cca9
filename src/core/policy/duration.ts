/** Durations in policies (min/max_wrapping_ttl): the shared parser, refusing with a 400. */
import { invalidRequest } from '../../errors.js';
import { parseDuration } from '../../framework/duration.js';

export function parseDurationSeconds(value: string | number): number {
  const seconds = typeof value === 'string' && value.trim() === '' ? undefined : parseDuration(value);
  if (seconds !== undefined) return seconds;
  const raw = String(value);
  const shown = raw.length > 32 ? raw.slice(0, 32) + '…' : raw;
  throw invalidRequest(`invalid duration ${JSON.stringify(shown)}: use seconds or a duration such as "90s", "1h30m"`);
}
