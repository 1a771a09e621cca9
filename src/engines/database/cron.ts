/**
 * Standard five-field cron expressions (minute hour day-of-month month day-of-week), in UTC,
 * for static roles' rotation_schedule: `*`, lists, ranges, steps (`*\/15`, `1-30/5`, `5/10`),
 * month and weekday names (JAN, MON), 7 as Sunday. As in cron, when both day fields are
 * restricted a day matching either runs; when one is `*`, both must match.
 * No seconds field and no `@daily` shortcuts: Vault's parser takes neither.
 */

export class CronError extends Error {
  override name = 'CronError';
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday (7 is folded into 0). */
  weekdays: ReadonlySet<number>;
  /** The day-of-month / day-of-week field was `*` (or `?`). */
  anyDay: boolean;
  anyWeekday: boolean;
}

function value(text: string, f: Field): number {
  const upper = text.toUpperCase();
  const named = f.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (f.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) throw new CronError(`${f.name}: "${text}" is not a number`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is outside ${f.min}-${f.max}`);
  return n;
}

function parseField(text: string, f: Field): { set: Set<number>; any: boolean } {
  const set = new Set<number>();
  let any = false;
  for (const part of text.split(',')) {
    if (part === '') throw new CronError(`${f.name}: empty list element in "${text}"`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) throw new CronError(`${f.name}: "${part}" has two steps`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronError(`${f.name}: step "${stepText}" must be a positive number`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      if (range === '?' && !f.name.startsWith('day')) throw new CronError(`${f.name}: "?" is only for the day fields`);
      [lo, hi] = [f.min, f.max];
      if (stepText === undefined) any = true;
    } else if (range!.includes('-')) {
      const [a, b, more] = range!.split('-');
      if (more !== undefined || !a || !b) throw new CronError(`${f.name}: "${range}" is not a range`);
      [lo, hi] = [value(a, f), value(b, f)];
      if (lo > hi) throw new CronError(`${f.name}: range "${range}" runs backwards`);
    } else {
      lo = value(range!, f);
      // `5/10` is every 10th from 5 to the end, as in cron.
      hi = stepText === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, any };
}

export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') {
    throw new CronError(`"${expression}" has ${parts[0] === '' ? 0 : parts.length} fields; a schedule has five: minute hour day-of-month month day-of-week`);
  }
  const [min, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  const weekdays = new Set([...dow!.set].map((d) => d % 7));
  return { minutes: min!.set, hours: hour!.set, days: dom!.set, months: month!.set, weekdays, anyDay: dom!.any, anyWeekday: dow!.any };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  return s.anyDay || s.anyWeekday ? dom && dow : dom || dow;
}

/** Far enough to meet any day a valid expression can name (Feb 29 on a given weekday: 28 years). */
const HORIZON_MS = 29 * 366 * 86_400_000;

/** The first minute strictly after `after` (unix ms) that the schedule names, or undefined if none ever comes (`0 0 31 2 *`). */
export function nextRun(s: CronSchedule, after: number): number | undefined {
  const t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const end = after + HORIZON_MS;
  while (t.getTime() <= end) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
    } else if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
    } else if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
    } else if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
    } else {
      return t.getTime();
    }
  }
  return undefined;
}
