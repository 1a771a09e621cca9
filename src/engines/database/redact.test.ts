/** What leaves the engine in an error or a log line carries no password and no URL credentials. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact } from './redact.js';

describe('redact', () => {
  it('removes known secrets, raw and URL-encoded, and the credentials of any URL', () => {
    const pw = 'p@ss:w/rd';
    const text = `login failed for postgresql://root:${encodeURIComponent(pw)}@db:5432/x with ${pw}; see mysql://u:other@h/`;
    const out = redact(text, [pw]);
    assert.ok(!out.includes(pw) && !out.includes(encodeURIComponent(pw)) && !out.includes('other'), out);
    assert.match(out, /postgresql:\/\/\[redacted\]@db:5432\/x with \[redacted\]; see mysql:\/\/\[redacted\]@h\//);
  });

  it('removes a password as escaped inside SQL literals too', () => {
    const pw = `a'b\\c"d`;
    const out = redact(`near 'a''b\\\\c"d' and "a'b\\c""d"`, [pw]);
    assert.equal(out, `near '[redacted]' and "[redacted]"`);
  });

  it('leaves short values alone rather than blanking ordinary words', () => {
    assert.equal(redact('the user is ab', ['ab', '', undefined]), 'the user is ab');
  });
});
