import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globMatch } from '../../framework/glob.js';
import { extensionText } from './constraints.js';

describe('cert constraints', () => {
  it('matches globs with * only, anchored at both ends, regex characters taken literally', () => {
    assert.equal(globMatch('*.example.com', 'a.example.com'), true);
    assert.equal(globMatch('*.example.com', 'a.example.com.evil'), false);
    assert.equal(globMatch('a.example.com', 'aXexample.com'), false);
    assert.equal(globMatch('team-(a|b)', 'team-a'), false);
    assert.equal(globMatch('team-(a|b)', 'team-(a|b)'), true);
    assert.equal(globMatch('*', ''), true);
  });

  it('reads string extension values as text and anything else as hex', () => {
    assert.equal(extensionText(Buffer.from([0x0c, 3, 0x61, 0x62, 0x63])), 'abc');
    assert.equal(extensionText(Buffer.from([0x16, 2, 0x68, 0x69])), 'hi');
    assert.equal(extensionText(Buffer.from([0x02, 1, 0x05])), '020105');
  });
});
