import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRotation, type StaticRole } from './static-store.js';

const at = (iso: string) => Date.parse(iso);
const role = (timing: Partial<StaticRole>): StaticRole => ({
  db_name: 'pg',
  username: 'app',
  rotation_period: 0,
  rotation_statements: [],
  credential_type: 'password',
  password: 'pw',
  last_rotation: at('2026-12-07T10:17:00Z'),
  ...timing,
});
const iso = (ms: number) => new Date(ms).toISOString();

describe('when a static role is next rotated', () => {
  it('a period counts from the last rotation, or from the import when there was none', () => {
    assert.equal(iso(nextRotation(role({ rotation_period: 3600 }), at('2026-12-07T10:30:00Z'))), '2026-12-07T11:17:00.000Z');
    const imported = role({ rotation_period: 3600, last_rotation: 0, imported: at('2026-12-07T10:00:00Z') });
    assert.equal(iso(nextRotation(imported, at('2026-12-07T10:30:00Z'))), '2026-12-07T11:00:00.000Z');
  });

  it('a schedule names the first time after the last rotation; a time passed without a rotation is due now', () => {
    const hourly = role({ rotation_schedule: '0 * * * *' });
    assert.equal(iso(nextRotation(hourly, at('2026-12-07T10:30:00Z'))), '2026-12-07T11:00:00.000Z');
    // 11:00 came and the rotation did not happen (failed, or the server was down): due until it does.
    const now = at('2026-12-07T13:10:00Z');
    assert.equal(nextRotation(hourly, now), now);
  });

  it('with a rotation_window, a time is due only inside its window; a missed one waits for the next', () => {
    const daily = role({ rotation_schedule: '0 3 * * *', rotation_window: 3600, last_rotation: at('2026-12-06T03:00:05Z') });
    const inside = at('2026-12-07T03:40:00Z');
    assert.equal(nextRotation(daily, inside), inside);
    assert.equal(iso(nextRotation(daily, at('2026-12-07T04:00:01Z'))), '2026-12-08T03:00:00.000Z');
    assert.equal(iso(nextRotation(daily, at('2026-12-07T02:59:00Z'))), '2026-12-07T03:00:00.000Z');
    // Rotated inside the window: the next is tomorrow's.
    const done = { ...daily, last_rotation: at('2026-12-07T03:10:00Z') };
    assert.equal(iso(nextRotation(done, at('2026-12-07T03:20:00Z'))), '2026-12-08T03:00:00.000Z');
  });

  it('a schedule created with skip_import_rotation waits for its first time', () => {
    const skipped = role({ rotation_schedule: '0 3 * * *', last_rotation: 0, imported: at('2026-12-07T10:00:00Z') });
    assert.equal(iso(nextRotation(skipped, at('2026-12-07T10:00:00Z'))), '2026-12-08T03:00:00.000Z');
  });
});
