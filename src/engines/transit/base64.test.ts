import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, decodeBase64UrlRaw } from './base64.js';

describe('strict base64', () => {
  it('decodes standard, padded base64 and the empty string', () => {
    assert.deepEqual(decodeBase64('aGVsbG8='), Buffer.from('hello'));
    assert.deepEqual(decodeBase64('aGk='), Buffer.from('hi'));
    assert.deepEqual(decodeBase64(''), Buffer.alloc(0));
    assert.deepEqual(decodeBase64('aGVs\nbG8='), Buffer.from('hello'), 'line breaks are skipped, as Go does');
  });

  it('refuses what node would quietly skip or accept', () => {
    for (const bad of ['not base64!', 'aGVsbG8', 'aGk', 'a', 'aGk==', '****', 'a-_b', 'aGVs bG8=', 'aG=k']) {
      assert.equal(decodeBase64(bad), null, bad);
    }
  });

  it('accepts exactly what a strict regex accepts, over many random near-base64 strings', () => {
    const strictRegex = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const alphabet = 'AQgw+/=-_ !\u00e9\r\n';
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 200_000; i++) {
      const len = next() % 13;
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
      const expected = strictRegex.test(s.replace(/[\r\n]/g, '')) ? Buffer.from(s.replace(/[\r\n]/g, ''), 'base64') : null;
      assert.deepEqual(decodeBase64(s), expected, JSON.stringify(s));
    }
  });

  it('reads unpadded URL-safe base64 for JWS', () => {
    assert.deepEqual(decodeBase64UrlRaw('-_8'), Buffer.from([0xfb, 0xff]));
    assert.equal(decodeBase64UrlRaw('+/8='), null);
  });
});
