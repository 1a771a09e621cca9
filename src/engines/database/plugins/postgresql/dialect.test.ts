import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pgTimestamp } from './dialect.js';

describe('PostgreSQL expiration timestamps', () => {
  it("are written in Vault's format, in UTC", () => {
    assert.equal(pgTimestamp(new Date('2026-12-07T20:30:05.000Z')), '2026-12-07 20:30:05+0000');
  });

  it('round up to the next whole second, so a password never expires before its lease', () => {
    assert.equal(pgTimestamp(new Date('2026-12-07T20:30:05.001Z')), '2026-12-07 20:30:06+0000');
    assert.equal(pgTimestamp(new Date('2026-12-31T23:59:59.900Z')), '2027-01-01 00:00:00+0000');
  });
});
