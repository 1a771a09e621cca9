import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorOrigin } from './error-origin.js';

test('names the frames an error came from, and no part of its message', () => {
  let err: unknown;
  try {
    (null as unknown as { toString(): string }).toString();
  } catch (e) {
    err = e;
  }
  const at = errorOrigin(err)!;
  assert.match(at, /error-origin\.test\.js:\d+:\d+/);
  assert.doesNotMatch(at, /toString|null|Cannot/);
  const secret = new Error('password hunter2');
  assert.doesNotMatch(errorOrigin(secret) ?? '', /hunter2/);
  assert.equal(errorOrigin('a string'), undefined);
});
