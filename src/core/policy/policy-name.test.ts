import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCofferError } from '../../errors.js';
import { assertPolicyNameDeletable, assertPolicyNameWritable, normalizePolicyName } from './policy-name.js';
import { parseDurationSeconds } from './duration.js';

const refused = (fn: () => unknown, fragment: RegExp) =>
  assert.throws(fn, (e: unknown) => isCofferError(e) && e.status === 400 && fragment.test(e.message));

describe('policy names', () => {
  it('normalizes by trimming and lower-casing', () => {
    assert.equal(normalizePolicyName('  Default '), 'default');
    assert.equal(normalizePolicyName('My-App'), 'my-app');
  });

  it('never lets root be written, in any spelling', () => {
    for (const name of ['root', 'ROOT', ' root', 'Root\t']) refused(() => assertPolicyNameWritable(name), /root policy/);
  });

  it('never lets root or default be deleted', () => {
    for (const name of ['root', ' ROOT ']) refused(() => assertPolicyNameDeletable(name), /cannot delete the root policy/);
    for (const name of ['default', 'Default', ' DEFAULT']) {
      refused(() => assertPolicyNameDeletable(name), /cannot delete the default policy/);
    }
    assert.equal(assertPolicyNameDeletable(' Admins '), 'admins');
  });

  it('allows default to be written, and ordinary names', () => {
    assert.equal(assertPolicyNameWritable('Default'), 'default');
    for (const n of ['my-app', 'kv_reader', 'team.ops', 'ci@example.com', 'a1']) assert.equal(assertPolicyNameWritable(n), n);
  });

  it('refuses empty and unsafe names', () => {
    refused(() => assertPolicyNameWritable('   '), /must be provided/);
    refused(() => assertPolicyNameDeletable(''), /must be provided/);
    for (const n of ['a/b', 'a,b', 'a b', '..', 'x*', 'é']) refused(() => assertPolicyNameWritable(n), /invalid policy name/);
    refused(() => assertPolicyNameWritable('a'.repeat(129)), /longer than 128/);
  });
});

describe('parseDurationSeconds', () => {
  it('reads seconds and Go durations', () => {
    assert.equal(parseDurationSeconds(90), 90);
    assert.equal(parseDurationSeconds('300'), 300);
    assert.equal(parseDurationSeconds('90s'), 90);
    assert.equal(parseDurationSeconds('1h30m'), 5400);
    assert.equal(parseDurationSeconds('1.5h'), 5400);
    assert.equal(parseDurationSeconds('2d'), 172800);
    assert.equal(parseDurationSeconds('1500ms'), 1);
    assert.equal(parseDurationSeconds('768h'), 2764800);
  });

  it('refuses nonsense and negatives', () => {
    for (const v of ['', 'abc', '10x', '-5s', '1h 30m', 'h']) refused(() => parseDurationSeconds(v), /invalid duration/);
    refused(() => parseDurationSeconds(-1), /invalid duration/);
    refused(() => parseDurationSeconds(Number.NaN), /invalid duration/);
  });
});
