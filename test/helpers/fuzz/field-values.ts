/**
 * JSON values for request fields: often one aimed at what the field means (durations,
 * counts, policy names and HCL, key shares, tokens, accessors, mount options), sometimes
 * anything at all, nested.
 */
import { SAFE, unicodeString, VISIBLE } from './alphabets.js';
import { RawNumber, type J } from './json-text.js';
import type { Prng } from './prng.js';
import type { FuzzInputs } from './requests.js';
import { pkiFieldValue } from './pki.js';
import { transitFieldValue } from './transit.js';

export const FIELD_NAMES = [
  'type', 'path', 'policy', 'rules', 'ttl', 'policies', 'secret_shares', 'secret_threshold', 'key', 'nonce', 'token',
  'accessor', 'increment', 'num_uses', 'options', 'config', 'id', 'meta', 'period', 'explicit_max_ttl', 'no_parent',
  'no_default_policy', 'renewable', 'display_name', 'role_name', 'from', 'to', 'description', 'local', 'seal_wrap',
  'reset', 'migrate', 'otp', 'pgp_key', 'pgp_keys', 'backup', 'require_verification', 'default_lease_ttl',
  'max_lease_ttl', 'listing_visibility', 'allowed_policies', 'disallowed_policies', 'orphan', 'bound_cidrs',
  'token_bound_cidrs', 'paths', 'version', 'data', 'value', 'list', 'help', 'lease', 'entity_alias', 'force_no_cache',
  'audit_non_hmac_request_keys', 'passthrough_request_headers', 'stored_shares', 'recovery_shares', 'root_token_pgp_key',
  'token_period', 'token_explicit_max_ttl', 'path_suffix', 'allowed_policies_glob', 'external_entropy_access',
  'versions', 'max_versions', 'cas_required', 'delete_version_after', 'custom_metadata', 'cas', 'after', 'limit', 'depth',
];

export const ODD_NAMES = ['', ' ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '0', '-1', 'a.b', 'a/b', '../x', 'TYPE', 'Type', ' type', 'type ', '\u0000', '\ud800', 'k'.repeat(5000)];

const HCL = [
  'path "secret/*" { capabilities = ["read"] }',
  'path "*" { capabilities = ["sudo", "read", "create", "update", "delete", "list"] }',
  'path "sys/*" { capabilities = ["deny"] }',
  'path "secret/+/x" { capabilities = ["list"] allowed_parameters = { "a" = [] } }',
  'path "x" { capabilities = ["fly"] }',
  'path "x" { capabilities = "read" }',
  'path {',
  'path "a" { capabilities = ["read"] min_wrapping_ttl = "1h" max_wrapping_ttl = "1m" }',
  'path "a" { capabilities = ["read"] required_parameters = ["b"] denied_parameters = { "*" = [] } }',
  '{"path": {"secret/*": {"capabilities": ["read"]}}}',
  '{"path": 1}',
  '{"path": {"a": {"capabilities": [1, null]}}}',
  '',
  '# just a comment',
  'path "' + 'a/'.repeat(500) + '" { capabilities = ["read"] }',
  'path "a" { capabilities = ["read"] }\n'.repeat(200),
  'path "\u00e9\u4e00" { capabilities = ["read"] }',
  'path "a" { capabilities = ["read"] } path "a" { capabilities = ["deny"] }',
  'path "a*b" { capabilities = ["read"] }',
  'path "a" { capabilities = ["read"] control_group = {} }',
  '"unterminated',
  'path "a" { capabilities = ["read" }',
  '<<EOF\npath "a" {}\nEOF',
];

function duration(r: Prng): J {
  return r.pick<J>([
    '1h', '30s', '-5s', '1h30m', '0', '-1', 0, -1, 1, 1.5, -0.5, 60, '60', '768h', '99999999999h', '1e400', 'abc', '', ' ',
    '5 m', '1h1h', '1d', '1y', '1.5h', 'NaN', 'Infinity', 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 1e21, 4294967296,
    new RawNumber('1e400'), new RawNumber('-1e400'), new RawNumber('123456789012345678901234567890'), new RawNumber('1E-400'),
    true, [], {}, ['1h'], '١٢٣', '9'.repeat(400),
  ]);
}

function int(r: Prng): J {
  return r.pick<J>([
    0, 1, 2, 3, 5, 255, 256, -1, -5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, '3', '-1', 'x', '', ' 3 ',
    '0x10', '1e3', true, null, [], {}, new RawNumber('1e400'), new RawNumber('-0'), new RawNumber('99999999999999999999999'),
  ]);
}

function policyName(r: Prng): string {
  return r.pick(['default', 'root', 'ROOT', ' root', 'Root ', 'fuzz-a', 'fuzz-b', 'nope', '', ' ', 'a,b', 'x/y', 'é', 'response-wrapping', 'control-group', 'p'.repeat(200), r.string(r.range(1, 10), SAFE)]);
}

function shareLike(r: Prng): string {
  return r.pick([
    () => r.bytes(32).toString('base64'),
    () => r.bytes(33).toString('base64'),
    () => r.bytes(32).toString('hex'),
    () => r.bytes(33).toString('hex'),
    () => r.bytes(r.range(1, 80)).toString('base64'),
    () => r.bytes(32).toString('base64').replace(/=+$/, ''),
    () => r.bytes(32).toString('base64') + '==',
    () => 'zz',
    () => '',
    () => ' ',
    () => r.string(r.range(1, 60), VISIBLE),
    () => 'A'.repeat(r.pick([1, 5, 45, 100000])),
  ])();
}

function tokenLike(r: Prng, inputs: FuzzInputs): J {
  return r.weighted<() => J>([
    [4, () => r.pick(inputs.throwawayTokens)],
    [3, () => `hvs.${r.string(24, SAFE)}`],
    [1, () => ''],
    [1, () => r.string(r.range(1, 3000), VISIBLE)],
    [1, () => unicodeString(r, 5)],
    [1, () => r.pick<J>([1, null, true, [], {}])],
  ])();
}

function accessorLike(r: Prng, inputs: FuzzInputs): J {
  return r.weighted<() => J>([
    [4, () => r.pick(inputs.throwawayAccessors)],
    [2, () => r.string(24, SAFE)],
    [2, () => r.pick(['', '.', '..', '../x', 'a/b', '*', '%2e', ' ', 'x'.repeat(200)])],
    [1, () => r.pick<J>([1, null, true, [], {}])],
  ])();
}

function anyString(r: Prng, inputs: FuzzInputs): string {
  return r.weighted<() => string>([
    [6, () => r.pick(['', ' ', 'x', 'default', 'root', 'ROOT', 'kv', 'kv-v2', 'cubbyhole', 'true', 'false', 'null', 'a,b,,c', 'default,root', '%zz', '../..', 'sys/', 'secret/', 'fuzzkv/', '\u0000', '\r\n'])],
    [3, () => r.string(r.range(1, 40), VISIBLE)],
    [2, () => unicodeString(r, r.range(1, 20))],
    [1, () => 'L'.repeat(r.pick([1000, 10000, 100000]))],
    [1, () => r.pick(inputs.throwawayTokens)],
    [1, () => r.pick(HCL)],
    [1, () => shareLike(r)],
  ])();
}

export function anyValue(r: Prng, inputs: FuzzInputs, depth: number): J {
  const leaf = () =>
    r.weighted<() => J>([
      [2, () => null],
      [2, () => r.chance(0.5)],
      [4, () => r.pick<J>([0, -1, 1, 1.5, -0.5, 1e308, -1e308, 2 ** 53 + 2, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, 4294967296, -0])],
      [1, () => new RawNumber(r.pick(['1e400', '-1e400', '123456789012345678901234567890', '0.' + '1'.repeat(400), '-0']))],
      [8, () => anyString(r, inputs)],
    ])();
  if (depth <= 0) return leaf();
  return r.weighted<() => J>([
    [8, leaf],
    [2, () => Array.from({ length: r.range(0, 5) }, () => anyValue(r, inputs, depth - 1))],
    [2, () => randomObject(r, inputs, depth - 1)],
  ])();
}

export function randomObject(r: Prng, inputs: FuzzInputs, depth: number): { [k: string]: J } {
  const out: { [k: string]: J } = {};
  const n = r.range(0, 5);
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.75) ? r.pick(FIELD_NAMES) : r.chance(0.5) ? r.pick(ODD_NAMES) : anyString(r, inputs).slice(0, 100);
    out[name] = fieldValue(r, inputs, name, depth);
  }
  return out;
}

/** A value for a field: often one aimed at what that field means, sometimes anything. */
export function fieldValue(r: Prng, inputs: FuzzInputs, name: string, depth: number): J {
  if (r.chance(0.35)) return anyValue(r, inputs, depth);
  switch (name) {
    case 'type':
      return r.pick(['kv', 'kv-v2', 'kv-v1', 'cubbyhole', 'system', 'token', 'identity', 'totp', 'transit', 'pki', '', 'KV', ' kv', 'service', 'batch', 'default', 'nope']);
    case 'path':
    case 'from':
    case 'to':
      return r.pick<J>(['secret', 'secret/', 'fuzzkv', 'fuzzkv/', `fuzz-${r.string(4, SAFE)}`, 'auth/token', 'auth/token/', 'cubbyhole', 'sys', 'sys/', '', '/', '//', '..', 'a/../b', 'a//b', 'a b', 'a*', 'a%b', 'a#b', 'auth/fuzz', 'identity/', 'x'.repeat(300), unicodeString(r, 4), ['secret/']]);
    case 'policy':
    case 'rules':
      return r.chance(0.8) ? r.pick(HCL) : anyValue(r, inputs, depth);
    case 'ttl':
    case 'increment':
    case 'period':
    case 'explicit_max_ttl':
    case 'default_lease_ttl':
    case 'max_lease_ttl':
    case 'lease':
    case 'token_period':
    case 'token_explicit_max_ttl':
      return duration(r);
    case 'policies':
    case 'allowed_policies':
    case 'disallowed_policies':
    case 'allowed_policies_glob':
      return r.pick<() => J>([
        () => Array.from({ length: r.range(0, 4) }, () => policyName(r)),
        () => Array.from({ length: r.range(1, 3) }, () => policyName(r)).join(','),
        () => r.pick<J>([[1, 2], [null], [[]], 'root', 'default,root', ',,,', '', []]),
      ])();
    case 'secret_shares':
    case 'secret_threshold':
    case 'num_uses':
    case 'stored_shares':
    case 'recovery_shares':
    case 'version':
    case 'max_versions':
    case 'cas':
    case 'limit':
    case 'depth':
      return int(r);
    case 'versions':
      return r.pick<() => J>([() => Array.from({ length: r.range(0, 4) }, () => int(r)), () => int(r), () => '1,2,x'])();
    case 'delete_version_after':
      return duration(r);
    case 'data':
      return r.chance(0.7) ? randomObject(r, inputs, Math.min(depth, 2)) : anyValue(r, inputs, depth);
    case 'custom_metadata':
      return r.pick<J>([{ owner: 'me' }, { owner: 1 }, 'x', [], { ['k'.repeat(600)]: 'v' }, Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v']))]);
    case 'key':
    case 'otp':
      return shareLike(r);
    case 'nonce':
      return r.pick<J>(['', '00000000-0000-0000-0000-000000000000', r.string(36, SAFE), 'x'.repeat(5000), 1, null]);
    case 'token':
    case 'id':
      return tokenLike(r, inputs);
    case 'accessor':
      return accessorLike(r, inputs);
    case 'options':
      return r.pick<() => J>([
        () => ({ version: r.pick<J>(['1', '2', 1, 2, 'x', '', true, -1, null]) }),
        () => ({ cas: int(r) }),
        () => ({ version: { nested: true } }),
        () => randomObject(r, inputs, Math.min(depth, 1)),
        () => r.pick<J>(['version=2', [], 5]),
      ])();
    case 'config':
      return r.pick<() => J>([
        () => ({ default_lease_ttl: duration(r), max_lease_ttl: duration(r) }),
        () => ({ listing_visibility: r.pick(['unauth', 'hidden', '', 'bogus', 1]), force_no_cache: r.pick<J>([true, 'x', 2]) }),
        () => ({ audit_non_hmac_request_keys: r.pick<J>(['a,b', ['a'], [1], 'x']) }),
        () => randomObject(r, inputs, Math.min(depth, 1)),
        () => r.pick<J>(['x', [], 1]),
      ])();
    case 'meta':
      return r.pick<J>([{ k: 'v' }, { k: 1 }, { k: null }, 'str', [], { '': '' }, { ['m'.repeat(300)]: 'v'.repeat(300) }]);
    case 'paths':
      return r.pick<J>([['secret/x', 'sys/mounts'], 'a,b', [], [1], ['..'], ['a//b'], ['\u0000'], 'x'.repeat(5000)]);
    case 'bound_cidrs':
    case 'token_bound_cidrs':
      return r.pick<J>([['127.0.0.1/32'], ['10.0.0.0/8', '::1/128'], ['999.1.1.1/33'], ['x'], '127.0.0.1', [], [1]]);
    case 'pgp_keys':
      return r.pick<J>([['x'], [], 'x', [1]]);
    default:
      return transitFieldValue(r, name, () => anyValue(r, inputs, depth)) ?? pkiFieldValue(r, name) ?? anyValue(r, inputs, depth);
  }
}
