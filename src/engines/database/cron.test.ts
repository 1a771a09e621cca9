import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronError, nextRun, parseCron } from './cron.js';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, after: string) => {
  const t = nextRun(parseCron(expr), at(after));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('cron schedules', () => {
  it('runs every minute with "* * * * *", strictly after the given time', () => {
    assert.equal(next('* * * * *', '2026-12-07T20:41:00.000Z'), '2026-12-07T20:42:00.000Z');
    assert.equal(next('* * * * *', '2026-12-07T20:41:59.999Z'), '2026-12-07T20:42:00.000Z');
  });

  it('steps, ranges and lists', () => {
    assert.equal(next('*/15 * * * *', '2026-12-07T20:41:10Z'), '2026-12-07T20:45:00.000Z');
    assert.equal(next('*/15 * * * *', '2026-12-07T20:45:00Z'), '2026-12-07T21:00:00.000Z');
    assert.equal(next('10-30/10 * * * *', '2026-12-07T20:21:00Z'), '2026-12-07T20:30:00.000Z');
    assert.equal(next('10-30/10 * * * *', '2026-12-07T20:30:00Z'), '2026-12-07T21:10:00.000Z');
    assert.equal(next('5/20 * * * *', '2026-12-07T20:30:00Z'), '2026-12-07T20:45:00.000Z');
    assert.equal(next('0 6,18 * * *', '2026-12-07T20:00:00Z'), '2026-12-08T06:00:00.000Z');
  });

  it('rolls over hours, days, months and years', () => {
    assert.equal(next('0 0 * * *', '2026-12-31T23:59:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('30 2 1 * *', '2026-12-07T00:00:00Z'), '2027-01-01T02:30:00.000Z');
    assert.equal(next('0 0 1 JAN *', '2026-03-01T00:00:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('0 12 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z');
  });

  it('day of week: names, 0 and 7 as Sunday; with a day of month, either matches', () => {
    // 2026-12-07 is a Monday.
    assert.equal(next('0 9 * * SUN', '2026-12-07T10:00:00Z'), '2026-12-13T09:00:00.000Z');
    assert.equal(next('0 9 * * 7', '2026-12-07T10:00:00Z'), '2026-12-13T09:00:00.000Z');
    assert.equal(next('0 9 * * mon-fri', '2026-12-11T10:00:00Z'), '2026-12-14T09:00:00.000Z');
    assert.equal(next('0 0 15 * FRI', '2026-12-07T00:00:00Z'), '2026-12-11T00:00:00.000Z');
    assert.equal(next('0 0 15 * 1/7', '2026-12-08T00:00:00Z'), '2026-12-14T00:00:00.000Z');
  });

  it('answers undefined for a schedule that never comes', () => {
    assert.equal(next('0 0 31 2 *', '2026-01-01T00:00:00Z'), undefined);
    assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined);
  });

  it('refuses what is not five valid fields, naming the field', () => {
    for (const [expr, message] of [
      ['', /five/],
      ['* * * *', /4 fields/],
      ['* * * * * *', /6 fields/],
      ['@daily', /1 fields/],
      ['60 * * * *', /minute: 60 is outside 0-59/],
      ['* 24 * * *', /hour: 24/],
      ['* * 0 * *', /day of month: 0/],
      ['* * * 13 *', /month: 13/],
      ['* * * * 8', /day of week: 8/],
      ['*/0 * * * *', /step "0"/],
      ['5-1 * * * *', /backwards/],
      ['1,,2 * * * *', /empty list element/],
      ['a * * * *', /not a number/],
      ['? * * * *', /only for the day fields/],
      ['1-2-3 * * * *', /not a range/],
    ] as const) {
      assert.throws(() => parseCron(expr), (err: unknown) => err instanceof CronError && message.test(err.message), expr);
    }
  });
});
