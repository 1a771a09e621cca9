import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createAuditHasher, hashedJson, identity, redactMessage, type HashFn } from './audit-hasher.js';

const hashStructure = (value: unknown, h: HashFn, clear?: ReadonlySet<string>) => JSON.parse(hashedJson(value, h, clear));

const salt = Buffer.alloc(32, 7);
const { hash } = createAuditHasher(salt);
const expected = (s: string) => `hmac-sha256:${createHmac('sha256', salt).update(s).digest('hex')}`;

describe('audit hashing', () => {
  it('is HMAC-SHA256 with the salt, hex, behind the hmac-sha256: prefix', () => {
    assert.equal(hash('s3cret'), expected('s3cret'));
    assert.equal(hash(''), expected(''));
  });

  it('hashes every string at any depth, arrays included, and leaves numbers, booleans and null clear', () => {
    const out = hashStructure({ a: 'x', n: 5, b: true, z: null, list: ['y', 2, ['z']], deep: { k: { v: 'w' } } }, hash);
    assert.deepEqual(out, { a: expected('x'), n: 5, b: true, z: null, list: [expected('y'), 2, [expected('z')]], deep: { k: { v: expected('w') } } });
  });

  it('hashes byte values as the API prints them (base64), and dates as their JSON text', () => {
    const bytes = Buffer.from('binary secret');
    const when = new Date(0);
    const out = hashStructure({ bytes, view: new Uint8Array(bytes), when, skipped: undefined, fn: () => 1 }, hash) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['bytes', 'view', 'when'], 'what JSON leaves out stays out');
    assert.equal(out.bytes, expected(bytes.toString('base64')));
    assert.equal(out.view, expected(bytes.toString('base64')));
    assert.equal(out.when, expected(when.toISOString()));
  });

  it('copies the values of the keys it is told to keep clear, at any depth', () => {
    const out = hashStructure({ keep: 'plain', other: 'x', nested: { keep: ['a'] } }, hash, new Set(['keep']));
    assert.deepEqual(out, { keep: 'plain', other: expected('x'), nested: { keep: ['a'] } });
  });

  it('prints bytes as base64 in the raw form too, escapes what JSON must, and never changes its input', () => {
    const input = { s: 'clear "quoted"\n', b: Buffer.from('ab'), 'k"ey': [NaN, undefined] };
    assert.deepEqual(hashStructure(input, identity), { s: 'clear "quoted"\n', b: 'YWI=', 'k"ey': [null, null] });
    assert.equal(input.s, 'clear "quoted"\n');
  });

  it('remembers hashes under a key that is not the value, and forgets them on wipe', () => {
    const h = createAuditHasher(Buffer.alloc(32, 1));
    const first = h.remembered('t:stored-hash', 'raw-token');
    assert.equal(h.remembered('t:stored-hash', 'ignored'), first);
    h.wipe();
    assert.notEqual(h.hash('raw-token'), first, 'the salt is zeroed');
  });
});

describe('error messages in audit entries', () => {
  it('hide any value the client sent, and the client token', () => {
    const msg = redactMessage('bad value "hunter2-pw" for the field; token tok-abcdef rejected', { a: { b: ['hunter2-pw'] } }, 'tok-abcdef', hash);
    assert.ok(!msg.includes('hunter2-pw') && !msg.includes('tok-abcdef'), msg);
    assert.ok(msg.includes(expected('hunter2-pw')) && msg.includes(expected('tok-abcdef')), msg);
  });

  it('leave words that merely contain a short value readable', () => {
    assert.equal(redactMessage('unknown option file_path', { type: 'file' }, undefined, hash), 'unknown option file_path');
    assert.equal(redactMessage('type "file" is wrong', { type: 'file' }, undefined, hash), `type "${expected('file')}" is wrong`);
  });

  it('ignore values too short to mean anything', () => {
    assert.equal(redactMessage('got 1 of 2', { n: '1' }, undefined, hash), 'got 1 of 2');
  });
});
