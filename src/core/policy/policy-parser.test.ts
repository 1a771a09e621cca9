import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCofferError } from '../../errors.js';
import { defaultPolicyText } from './default-policy.js';
import { parsePolicy } from './policy-parser.js';
import type { PathRule } from './types.js';

/** Rules in a comparable shape: capabilities sorted into arrays. */
const plain = (rules: PathRule[]) =>
  rules.map((r) => ({ ...r, capabilities: [...r.capabilities].sort() }));

const refused = (text: string, fragment: RegExp) =>
  assert.throws(
    () => parsePolicy('p', text),
    (e: unknown) => {
      assert.ok(isCofferError(e), String(e));
      assert.equal(e.kind, 'InvalidRequest');
      assert.match(e.message, /^failed to parse policy: /);
      assert.match(e.message, fragment);
      return true;
    },
  );

const FULL_HCL = `
# Application policy
path "secret/data/app/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
  allowed_parameters = {
    "Color" = ["red", "blue*"]
    "size"  = []
  }
  denied_parameters = {
    "admin" = []
  }
  required_parameters = ["Owner"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = 3600
}

path "sys/mounts" {
  capabilities = ["read", "sudo"]
}
`;

const FULL_JSON = JSON.stringify({
  path: {
    'secret/data/app/*': {
      capabilities: ['create', 'read', 'update', 'patch', 'delete', 'list'],
      allowed_parameters: { Color: ['red', 'blue*'], size: [] },
      denied_parameters: { admin: [] },
      required_parameters: ['Owner'],
      min_wrapping_ttl: '1m',
      max_wrapping_ttl: 3600,
    },
    'sys/mounts': { capabilities: ['read', 'sudo'] },
  },
});

describe('parsePolicy', () => {
  it('reads every rule field', () => {
    const p = parsePolicy(' App ', FULL_HCL);
    assert.equal(p.name, 'app');
    assert.equal(p.raw, FULL_HCL);
    assert.deepEqual(plain(p.rules), [
      {
        pattern: 'secret/data/app/*',
        capabilities: ['create', 'delete', 'list', 'patch', 'read', 'update'],
        allowedParameters: { color: ['red', 'blue*'], size: [] },
        deniedParameters: { admin: [] },
        requiredParameters: ['owner'],
        minWrappingTtl: 60,
        maxWrappingTtl: 3600,
      },
      { pattern: 'sys/mounts', capabilities: ['read', 'sudo'] },
    ]);
  });

  it('gives the same rules for the JSON form, object or list style', () => {
    const fromHcl = plain(parsePolicy('p', FULL_HCL).rules);
    assert.deepEqual(plain(parsePolicy('p', FULL_JSON).rules), fromHcl);
    const listStyle = JSON.stringify({
      path: [
        { 'secret/data/app/*': JSON.parse(FULL_JSON).path['secret/data/app/*'] },
        { 'sys/mounts': { capabilities: ['read', 'sudo'] } },
      ],
    });
    assert.deepEqual(plain(parsePolicy('p', listStyle).rules), fromHcl);
  });

  it('maps the legacy policy field to capabilities', () => {
    const caps = (legacy: string) => plain(parsePolicy('p', `path "a" { policy = "${legacy}" }`).rules)[0]!.capabilities;
    assert.deepEqual(caps('read'), ['list', 'read']);
    assert.deepEqual(caps('write'), ['create', 'delete', 'list', 'read', 'update']);
    assert.deepEqual(caps('sudo'), ['create', 'delete', 'list', 'read', 'sudo', 'update']);
    assert.deepEqual(caps('deny'), ['deny']);
    const both = parsePolicy('p', 'path "a" {\n policy = "read"\n capabilities = ["patch"]\n}');
    assert.deepEqual(plain(both.rules)[0]!.capabilities, ['list', 'patch', 'read']);
    refused('path "a" {\n  policy = "admin"\n}', /path "a": invalid "policy" value .* \(line 2\)/);
  });

  it('merges repeated blocks for one pattern', () => {
    const p = parsePolicy(
      'p',
      `path "/kv/*" { capabilities = ["read"]
         allowed_parameters = { a = ["1"] } }
       path "kv/*" { capabilities = ["list"]
         allowed_parameters = { a = ["2"], b = [] }
         required_parameters = ["x"] }`,
    );
    assert.deepEqual(plain(p.rules), [
      {
        pattern: 'kv/*',
        capabilities: ['list', 'read'],
        allowedParameters: { a: ['1', '2'], b: [] },
        requiredParameters: ['x'],
      },
    ]);
  });

  it('lets deny absorb everything else for its pattern', () => {
    const p = parsePolicy('p', 'path "a" { capabilities = ["read", "deny"] }\npath "b" { capabilities = ["read"] }\npath "b" { capabilities = ["deny"] }');
    assert.deepEqual(plain(p.rules), [
      { pattern: 'a', capabilities: ['deny'] },
      { pattern: 'b', capabilities: ['deny'] },
    ]);
  });

  it('accepts a policy without path blocks, refuses an empty text', () => {
    assert.deepEqual(parsePolicy('p', '# nothing yet\n').rules, []);
    assert.deepEqual(parsePolicy('p', '{}').rules, []);
    assert.deepEqual(parsePolicy('p', 'name = "p"\npath "a" { capabilities = [] }').rules.length, 1);
    refused('', /empty/);
    refused('  \n ', /empty/);
  });

  it('names the problem in invalid policies', () => {
    refused('path "a" {\n  capabilities = ["read", "raed"]\n}', /path "a": unknown capability "raed" .*\(line 2\)/);
    refused('path "a" {\n  capabilities = "read"\n}', /"capabilities" must be a list of strings \(line 2\)/);
    refused('path "a" {\n  capabilities = ["read"]\n  colour = 1\n}', /path "a": unknown key "colour" \(line 3\)/);
    refused('\nrules "a" {}', /unknown top-level key "rules" \(line 2\)/);
    refused('path "a" {\n  capabilities = ["read"]\n', /line 1, column \d+: missing '}'/);
    refused('path "a" { capabilities = = ["read"] }', /line 1, column 27: expected a value/);
    refused('path "secret/*/x" { capabilities = ["read"] }', /"\*" is only allowed at the end .*\(line 1\)/);
    refused('path "secret/a+" { capabilities = ["read"] }', /"\+" must be a whole path segment/);
    refused('path "" { capabilities = ["read"] }', /must not be empty/);
    refused('path "a" { allowed_parameters = ["x"] }', /"allowed_parameters" must be an object/);
    refused('path "a" { denied_parameters = { x = "y" } }', /the value of "x" must be a list/);
    refused('path "a" { required_parameters = "x" }', /"required_parameters" must be a list of strings/);
    refused('path "a" { min_wrapping_ttl = true }', /"min_wrapping_ttl" must be a duration/);
    refused('path "a" { max_wrapping_ttl = "soon" }', /"max_wrapping_ttl": invalid duration/);
    refused('path "a" { min_wrapping_ttl = "2h"\n max_wrapping_ttl = "1h" }', /cannot be less than/);
    refused('path "a" { control_group = {} }', /"control_group" is not supported/);
    refused('path = "a"', /"path" must be a block/);
    refused('{"path": {"a": {"capabilities": ["nope"]}}}', /unknown capability "nope"/);
    refused('{"path": ', /invalid JSON/);
  });

  it('parses the default policy', () => {
    const p = parsePolicy('default', defaultPolicyText);
    const patterns = p.rules.map((r) => r.pattern);
    for (const expected of ['auth/token/lookup-self', 'auth/token/renew-self', 'auth/token/revoke-self', 'sys/capabilities-self', 'cubbyhole/*', 'sys/wrapping/unwrap', 'sys/tools/hash', 'sys/leases/lookup', 'sys/internal/ui/resultant-acl']) {
      assert.ok(patterns.includes(expected), expected);
    }
  });
});
