/** Password policies: parsing HCL and JSON, refusing impossible rules, and what generation guarantees. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePolicyText, DEFAULT_PASSWORD_POLICY, generatePassword, parsePasswordPolicy, PasswordPolicyError } from './password-policy.js';

const HCL = `
length = 12
rule "charset" {
  charset = "abcdefghijklmnopqrstuvwxyz"
  min-chars = 2
}
rule "charset" {
  charset = "0123456789"
  min-chars = 3
}
rule "charset" {
  charset = "!@#"
  min-chars = 1
}`;

function count(s: string, chars: string): number {
  return [...s].filter((c) => chars.includes(c)).length;
}

describe('password policies', () => {
  it('reads length and several charset rules from HCL', () => {
    const p = parsePasswordPolicy(HCL);
    assert.equal(p.length, 12);
    assert.deepEqual(p.rules.map((r) => r.minChars), [2, 3, 1]);
    assert.equal(p.charset.length, 26 + 10 + 3);
  });

  it('reads the same policy from JSON', () => {
    const json = JSON.stringify({ length: 8, rule: [{ charset: { charset: 'ab', 'min-chars': 1 } }, { charset: { charset: 'XY' } }] });
    const p = parsePasswordPolicy(json);
    assert.equal(p.length, 8);
    assert.deepEqual(p.rules.map((r) => r.charset.join('')), ['ab', 'XY']);
  });

  it('meets every min-chars, uses only the charsets, and has the length asked for', () => {
    const p = parsePasswordPolicy(HCL);
    for (let i = 0; i < 500; i++) {
      const pw = generatePassword(p);
      assert.equal(pw.length, 12);
      assert.ok(count(pw, 'abcdefghijklmnopqrstuvwxyz') >= 2, pw);
      assert.ok(count(pw, '0123456789') >= 3, pw);
      assert.ok(count(pw, '!@#') >= 1, pw);
      assert.equal(count(pw, 'abcdefghijklmnopqrstuvwxyz0123456789!@#'), 12);
    }
  });

  it('shuffles: required characters appear at every position', () => {
    // Exactly one Z (five a's are required too): unshuffled, it would always come last.
    const p = parsePasswordPolicy('length = 6\nrule "charset" { charset = "a"\n min-chars = 5 }\nrule "charset" { charset = "Z"\n min-chars = 1 }');
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) seen.add(generatePassword(p).indexOf('Z'));
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
  });

  it('the default is Vault\'s: 20 characters with a lower, an upper, a digit and a dash', () => {
    for (let i = 0; i < 200; i++) {
      const pw = generatePassword(DEFAULT_PASSWORD_POLICY);
      assert.match(pw, /^[A-Za-z0-9-]{20}$/);
      assert.match(pw, /[a-z]/);
      assert.match(pw, /[A-Z]/);
      assert.match(pw, /[0-9]/);
      assert.match(pw, /-/);
    }
  });

  for (const [what, text, message] of [
    ['min-chars summing past the length', 'length = 4\nrule "charset" { charset = "ab"\n min-chars = 3 }\nrule "charset" { charset = "cd"\n min-chars = 2 }', /require at least 5 characters but 4/],
    ['an empty charset', 'length = 10\nrule "charset" { charset = "" }', /empty charset/],
    ['no rules', 'length = 10', /no charset/],
    ['a length under 4', 'length = 3\nrule "charset" { charset = "ab" }', /between 4 and 100/],
    ['a length over 100', 'length = 101\nrule "charset" { charset = "ab" }', /between 4 and 100/],
    ['a length that is not a number', 'length = "many"\nrule "charset" { charset = "ab" }', /integer/],
    ['an unknown rule type', 'length = 10\nrule "words" { list = "a" }', /unknown rule type "words"/],
    ['an unknown field', 'length = 10\nrule "charset" { charset = "ab"\n max-chars = 2 }', /unknown field "max-chars"/],
    ['negative min-chars', 'length = 10\nrule "charset" { charset = "ab"\n min-chars = -1 }', /min-chars/],
    ['a control character', 'length = 10\nrule "charset" { charset = "ab\\n" }', /non-printable/],
    ['malformed HCL', 'length = = 10', /unable to decode/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parsePasswordPolicy(text), (err: Error) => err instanceof PasswordPolicyError && message.test(err.message));
    });
  }

  it('decodes base64 policies and leaves plain text alone', () => {
    assert.equal(decodePolicyText(Buffer.from(HCL).toString('base64')), HCL);
    assert.equal(decodePolicyText(HCL), HCL);
  });
});
