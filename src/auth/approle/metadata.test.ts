import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMetadata } from './metadata.js';

describe('secret id metadata', () => {
  it('takes a JSON string (hvac), an object, or k=v pairs', () => {
    assert.deepEqual(parseMetadata('{"env":"prod","n":1}'), { env: 'prod', n: '1' });
    assert.deepEqual(parseMetadata({ env: 'prod' }), { env: 'prod' });
    assert.deepEqual(parseMetadata('env=prod, team=a'), { env: 'prod', team: 'a' });
    assert.deepEqual(parseMetadata(''), {});
    assert.deepEqual(parseMetadata(undefined), {});
  });

  it('refuses what a token’s metadata cannot hold, naming the problem', () => {
    assert.throws(() => parseMetadata('{"a":{"b":1}}'), /metadata value of "a" must be a string/);
    assert.throws(() => parseMetadata('{not json'), /failed to parse metadata/);
    assert.throws(() => parseMetadata('novalue'), /failed to parse metadata/);
    assert.throws(() => parseMetadata([1, 2]), /metadata must be/);
    assert.throws(() => parseMetadata(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))), /at most 64 keys/);
    assert.throws(() => parseMetadata({ k: 'x'.repeat(600) }), /longer than 512 bytes/);
  });

  it('keeps a key named __proto__ as plain data', () => {
    const out = parseMetadata('{"__proto__":"x"}');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'x');
  });
});
