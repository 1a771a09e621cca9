/**
 * Random and malformed v1 API requests for the fuzz test: paths built from real prefixes
 * plus hostile segments, methods real and invented, JSON bodies aimed at real field names,
 * malformed bodies, and header variants. Everything comes from one seeded Prng, so a seed
 * reproduces the same sequence of requests.
 */
import type { Prng } from './prng.js';

export interface FuzzRequest {
  /** Position in the whole run (1-based), for the failure report. */
  n: number;
  phase: string;
  method: string;
  /** The raw request target, `/v1/...` with any query, exactly as sent. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** Which body generator was used, for the report. */
  bodyKind: string;
}

export interface FuzzInputs {
  rootToken: string;
  /** Tokens (and their accessors) made for the fuzz: using, renewing or revoking them is fine. */
  throwawayTokens: string[];
  throwawayAccessors: string[];
}

// ---------------------------------------------------------------------------------------
// Paths

export const PREFIXES = [
  'sys/',
  'sys/mounts/',
  'sys/mounts/secret/tune',
  'sys/mounts/fuzzkv/',
  'sys/auth/',
  'sys/auth/token/tune',
  'sys/policy/',
  'sys/policies/acl/',
  'sys/unseal',
  'sys/init',
  'sys/seal-status',
  'sys/health',
  'sys/leader',
  'sys/key-status',
  'sys/rotate',
  'sys/capabilities',
  'sys/capabilities-self',
  'sys/capabilities-accessor',
  'sys/remount',
  'sys/rekey/init',
  'sys/rekey/update',
  'sys/generate-root/attempt',
  'sys/generate-root/update',
  'sys/internal/ui/mounts/',
  'sys/internal/specs/openapi',
  'sys/leases/',
  'sys/wrapping/wrap',
  'sys/raw/',
  'auth/',
  'auth/token/',
  'auth/token/create',
  'auth/token/create/',
  'auth/token/create-orphan',
  'auth/token/lookup',
  'auth/token/lookup-self',
  'auth/token/lookup-accessor',
  'auth/token/renew',
  'auth/token/renew-self',
  'auth/token/renew-accessor',
  'auth/token/revoke',
  'auth/token/revoke-orphan',
  'auth/token/revoke-accessor',
  'auth/token/accessors/',
  'auth/token/roles/',
  'auth/token/tidy',
  'cubbyhole/',
  'secret/',
  'secret/data/',
  'secret/metadata/',
  'secret/config',
  'secret/delete/',
  'secret/undelete/',
  'secret/destroy/',
  'secret/subkeys/',
  'fuzzkv/',
  'nonexistent/',
  '',
] as const;

const WORDS = [
  'x', 'a', 'foo', 'bar', 'data', 'metadata', 'config', 'keys', 'tune', 'roles', 'lookup', 'lookup-self', 'create',
  'accessors', 'default', 'root', 'ROOT', 'Root', 'token', 'kv', 'secret', 'cubbyhole', 'mounts', 'auth', 'policy',
  'policies', 'acl', 'unseal', 'init', 'health', 'rekey', 'generate-root', 'attempt', 'update', 'renew', 'revoke',
  'tidy', 'capabilities', 'fuzzkv', 'fuzz', '-', '_', '.x', 'x.', '@', '~', '1', '0', '-1', '999999999999', 'null',
  'undefined', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'sys', 'v1', 'seal-status', 'seal',
];

const PERCENT = [
  '%zz', '%', '%2', '%2e', '%2E', '%2e%2e', '%2F', '%2f%2f', '%00', '%ff', '%FF%FE', '%C0%AE', '%E2%82', '%25',
  '%252e', '%0a', '%0d%0a', '%7f', '%20', '%5c', '%3f', '%23', '%u0041', '%%', '%2', 'a%', '%e0%80%af', '%F0%9F%92%A9',
];

const SPECIAL = ['*', '+', '?', '#', ';', ',', '=', '&', '!', '$', "'", '(', ')', ':', '@', '[', ']', '|', '{', '}', '^', '`', '"', '<', '>', '\\', '+*', '?list=true'];

const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';
/** Visible ASCII, for header values. */
export const VISIBLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

function unicodeString(r: Prng, length: number): string {
  const ranges: [number, number][] = [
    [0xa0, 0xff], // Latin-1
    [0x370, 0x3ff], // Greek
    [0x590, 0x5ff], // Hebrew (RTL)
    [0x300, 0x36f], // combining marks
    [0x200b, 0x200f], // zero-width and direction marks
    [0x4e00, 0x4e80], // CJK
    [0xfff0, 0xfffd], // specials
    [0x1f600, 0x1f64f], // emoji
    [0x10000, 0x1007f], // astral
  ];
  let out = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = r.pick(ranges);
    out += String.fromCodePoint(r.range(lo, hi));
  }
  return out;
}

function segment(r: Prng): string {
  return r.weighted<() => string>([
    [30, () => r.pick(WORDS)],
    [15, () => r.string(r.range(1, 16), SAFE)],
    [10, () => encodeURIComponent(unicodeString(r, r.range(1, 8)))],
    // Raw Latin-1 bytes in the request line: Node's client sends them as single bytes.
    [3, () => r.string(r.range(1, 4), '\u00e9\u00fc\u00ff\u00a0\u00c0\u0080\u0085')],
    [12, () => r.pick(PERCENT) + (r.chance(0.5) ? r.string(r.range(0, 4), SAFE) : '')],
    [8, () => r.pick(['..', '.', '', '...', '.%2e', '%2e.'])],
    [6, () => r.pick(SPECIAL)],
    [4, () => r.pick(['a', 'x', '%41', '\u00e9']).repeat(r.pick([300, 1000, 4100, 5000, 9000]))],
    [1, () => 'b'.repeat(r.pick([17000, 40000]))],
    [4, () => r.string(r.range(1, 24), VISIBLE.replace(/[?#%]/g, ''))],
  ])();
}

function query(r: Prng): string {
  const parts: string[] = [];
  const n = r.range(1, 3);
  for (let i = 0; i < n; i++) {
    parts.push(
      r.pick([
        'list=true', 'list=True', 'list=1', 'list=false', 'list=', 'list', 'list=%zz', 'help=1', 'help=true', 'scan=true',
        'version=abc', 'version=-1', 'x=%', '%zz=1', '=', '&&', 'a=b&a=c', 'path=x', 'cas=-1', 'token=not-a-token',
        'ttl=1h', 'increment=abc', 'accessor=..', 'standbyok=maybe', 'list=true&list=false', `${r.string(r.range(1, 8), SAFE)}=${encodeURIComponent(unicodeString(r, 3))}`,
        `x=${'y'.repeat(r.pick([10, 2000]))}`,
        'limit=10001', 'limit=-1', 'limit=0', 'limit=2', 'after=a', 'after=%zz', 'after=', 'version=0', 'version=99999999999999999999', 'depth=abc',
        'activecode=abc', 'sealedcode=599', 'activecode=299', 'uninitcode=-1', 'standbyok=true&activecode=500',
      ]),
    );
  }
  return parts.join('&');
}

function path(r: Prng): string {
  const kind = r.weighted([
    [40, 'prefix+clean'],
    [30, 'prefix+hostile'],
    [15, 'prefix'],
    [10, 'random'],
    [5, 'version'],
  ] as const);
  let p: string;
  if (kind === 'version') {
    // Only API paths: `/` and `/ui/` answer with a redirect and HTML by design.
    return r.pick(['/v1', '/v1/', '/v2/sys/health', '/V1/sys/health', '/v1//sys/health', '/v1/./sys/health', '/v1%2fsys/health', '/v1/../v1/sys/health', '/v1?list=true', '/v1/%zz']);
  }
  if (kind === 'prefix') p = r.pick(PREFIXES);
  else if (kind === 'random') p = Array.from({ length: r.range(1, 5) }, () => segment(r)).join('/');
  else {
    const prefix = r.pick(PREFIXES);
    const clean = () => (r.chance(0.7) ? r.pick(WORDS) : r.string(r.range(1, 12), SAFE));
    const segs = Array.from({ length: r.range(1, 3) }, () => (kind === 'prefix+clean' ? clean() : segment(r))).join('/');
    p = prefix === '' || prefix.endsWith('/') ? prefix + segs : `${prefix}/${segs}`;
  }
  if (r.chance(0.15)) p += '/';
  if (r.chance(0.03)) p = '/' + p;
  let target = `/v1/${p}`;
  if (r.chance(0.22)) target += (target.includes('?') ? '&' : '?') + query(r);
  return target;
}

// ---------------------------------------------------------------------------------------
// Bodies

/** A JSON number literal that JSON.stringify cannot produce (1e400, 123456789012345678901234567890). */
class RawNumber {
  constructor(readonly text: string) {}
}

type J = null | boolean | number | string | RawNumber | J[] | { [k: string]: J };

function toJsonText(v: J): string {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

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

const ODD_NAMES = ['', ' ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '0', '-1', 'a.b', 'a/b', '../x', 'TYPE', 'Type', ' type', 'type ', '\u0000', '\ud800', 'k'.repeat(5000)];

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

function anyValue(r: Prng, inputs: FuzzInputs, depth: number): J {
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

function randomObject(r: Prng, inputs: FuzzInputs, depth: number): { [k: string]: J } {
  const out: { [k: string]: J } = {};
  const n = r.range(0, 5);
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.75) ? r.pick(FIELD_NAMES) : r.chance(0.5) ? r.pick(ODD_NAMES) : anyString(r, inputs).slice(0, 100);
    out[name] = fieldValue(r, inputs, name, depth);
  }
  return out;
}

/** A value for a field: often one aimed at what that field means, sometimes anything. */
function fieldValue(r: Prng, inputs: FuzzInputs, name: string, depth: number): J {
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
      return anyValue(r, inputs, depth);
  }
}

const MALFORMED = [
  '{', '}', '{"a":}', "{'a':1}", '{"a":1,}', 'NaN', '{"a":NaN}', '{"a":undefined}', '{"a":1} trailing', '{"a":1}{"b":2}',
  '\ufeff{"a":1}', '{"a":"\\ud800"}', '{"a":"\\u00"}', '{"a":"\u0001\u0002"}', '{"a":01}', '{"a":-}', '{"a":.5}', '{"a":1e}',
  '{"a":tru}', '{"a":"unterminated}', '{"a":[1,2}', '{"a":{"b":1]}', '{"a" 1}', '{a:1}', '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}', '{"a":"\\x41"}', '\u0000', '{"type":"kv"}\u0000', '{"a":1}\n\n\n',
];

function malformed(r: Prng, inputs: FuzzInputs): string {
  return r.weighted<() => string>([
    [5, () => r.pick(MALFORMED)],
    [3, () => {
      const text = toJsonText(randomObject(r, inputs, 2));
      return text.slice(0, r.int(Math.max(1, text.length)));
    }],
    [2, () => {
      const depth = r.pick([50, 99, 100, 101, 150, 1000]);
      const open = r.chance(0.5) ? '{"a":' : '[';
      const close = open === '[' ? ']' : '}';
      return open.repeat(depth) + '1' + close.repeat(r.chance(0.8) ? depth : r.int(depth));
    }],
    [1, () => `{"a":"${'\\'.repeat(r.range(1, 5))}"}`],
    [1, () => '{' + Array.from({ length: r.range(100, 3000) }, (_, i) => `"k${i}":${i}`).join(',') + '}'],
    [1, () => '[' + '"s",'.repeat(r.range(10, 3000)) + '"s"]'],
  ])();
}

function body(r: Prng, inputs: FuzzInputs, method: string): { kind: string; body?: Buffer } {
  const writes = method === 'POST' || method === 'PUT' || method === 'PATCH';
  if (!writes && r.chance(0.85)) return { kind: 'none' };
  const kind = r.weighted([
    [55, 'object'],
    [12, 'malformed'],
    [8, 'scalar'],
    [7, 'binary'],
    [6, 'empty'],
    [4, 'none'],
    [3, 'form'],
    [5, 'object-huge'],
  ] as const);
  switch (kind) {
    case 'none':
      return { kind };
    case 'empty':
      return { kind, body: Buffer.alloc(0) };
    case 'object':
      return { kind, body: Buffer.from(toJsonText(randomObject(r, inputs, 3)), 'utf8') };
    case 'object-huge': {
      const obj = randomObject(r, inputs, 1);
      obj[r.pick(FIELD_NAMES)] = 'H'.repeat(r.pick([100_000, 1_000_000]));
      return { kind, body: Buffer.from(toJsonText(obj), 'utf8') };
    }
    case 'malformed':
      return { kind, body: Buffer.from(malformed(r, inputs), 'utf8') };
    case 'scalar':
      return { kind, body: Buffer.from(r.pick(['[]', '[1,2]', '"str"', '123', 'true', 'false', 'null', '""', '[{"type":"kv"}]', '-0', '1e400', ' ', '\n']), 'utf8') };
    case 'binary':
      return { kind, body: r.bytes(r.range(1, 2000)) };
    case 'form':
      return { kind, body: Buffer.from(r.pick(['a=b&c=d', 'type=kv', 'policy=path+"x"+{}', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--']), 'utf8') };
  }
}

// ---------------------------------------------------------------------------------------
// Endpoints: a real path with the methods and fields its handler reads, so a good share of
// the fuzz gets past routing and into field parsing and handler logic.

interface Endpoint {
  path: (r: Prng) => string;
  methods: string[];
  fields: string[];
}

const name = (r: Prng) => r.pick(['fuzz-a', 'fuzz-b', 'p1', 'x', r.string(r.range(1, 10), SAFE), 'default', 'root', 'ROOT', 'r\u00e9le', '']);
const mountName = (r: Prng) => r.pick(['fuzzkv', 'fuzz1', 'fuzz2', 'secret', 'cubbyhole', 'sys', 'token', r.string(r.range(1, 8), SAFE), 'a/b', 'fuzzkv/sub']);
const secretPath = (r: Prng) => Array.from({ length: r.range(1, 3) }, () => r.pick(['a', 'b', 'x', 'db', 'app', '\u00e9t\u00e9', r.string(r.range(1, 8), SAFE)])).map(encodeURIComponent).join('/');

const TOKEN_CREATE_FIELDS = ['policies', 'ttl', 'num_uses', 'period', 'explicit_max_ttl', 'meta', 'no_parent', 'no_default_policy', 'renewable', 'display_name', 'type', 'id', 'role_name', 'lease', 'entity_alias'];
const ROLE_FIELDS = ['allowed_policies', 'disallowed_policies', 'allowed_policies_glob', 'orphan', 'renewable', 'path_suffix', 'token_bound_cidrs', 'token_explicit_max_ttl', 'token_period', 'token_no_default_policy', 'token_num_uses', 'token_type', 'bound_cidrs', 'explicit_max_ttl', 'period'];

const ENDPOINTS: Endpoint[] = [
  { path: (r) => `sys/mounts/${mountName(r)}`, methods: ['POST', 'PUT', 'GET', 'DELETE'], fields: ['type', 'description', 'config', 'options', 'local', 'seal_wrap', 'path', 'external_entropy_access'] },
  { path: (r) => `sys/mounts/${mountName(r)}/tune`, methods: ['POST', 'GET'], fields: ['default_lease_ttl', 'max_lease_ttl', 'description', 'options', 'listing_visibility', 'force_no_cache', 'audit_non_hmac_request_keys', 'passthrough_request_headers'] },
  { path: (r) => `sys/auth/${mountName(r)}`, methods: ['POST', 'GET', 'DELETE'], fields: ['type', 'description', 'config', 'options', 'local'] },
  { path: () => 'sys/remount', methods: ['POST'], fields: ['from', 'to'] },
  { path: (r) => `sys/${r.pick(['policy', 'policies/acl'])}/${encodeURIComponent(name(r))}`, methods: ['PUT', 'POST', 'GET', 'DELETE'], fields: ['policy', 'rules', 'name'] },
  { path: (r) => r.pick(['sys/policy', 'sys/policies/acl', 'sys/policies/acl/']), methods: ['GET', 'LIST'], fields: [] },
  { path: () => 'sys/capabilities', methods: ['POST'], fields: ['token', 'path', 'paths'] },
  { path: () => 'sys/capabilities-self', methods: ['POST'], fields: ['path', 'paths'] },
  { path: () => 'sys/capabilities-accessor', methods: ['POST'], fields: ['accessor', 'path', 'paths'] },
  { path: () => 'sys/unseal', methods: ['PUT'], fields: ['key', 'reset', 'migrate'] },
  { path: () => 'sys/seal', methods: ['PUT', 'POST'], fields: [] },
  { path: () => 'sys/init', methods: ['PUT', 'GET'], fields: ['secret_shares', 'secret_threshold', 'pgp_keys', 'root_token_pgp_key', 'stored_shares', 'recovery_shares'] },
  { path: () => 'sys/rekey/init', methods: ['PUT', 'GET', 'DELETE'], fields: ['secret_shares', 'secret_threshold', 'pgp_keys', 'backup', 'require_verification'] },
  { path: () => 'sys/rekey/update', methods: ['PUT'], fields: ['key', 'nonce'] },
  { path: () => 'sys/generate-root/attempt', methods: ['PUT', 'GET', 'DELETE'], fields: ['pgp_key', 'otp'] },
  { path: () => 'sys/generate-root/update', methods: ['PUT'], fields: ['key', 'nonce'] },
  { path: (r) => r.pick(['sys/rotate', 'sys/key-status', 'sys/seal-status', 'sys/leader', 'sys/health', 'sys/internal/specs/openapi']), methods: ['GET', 'PUT'], fields: [] },
  { path: (r) => `sys/internal/ui/mounts/${r.chance(0.3) ? '' : mountName(r)}`, methods: ['GET'], fields: [] },
  { path: (r) => r.pick(['auth/token/create', 'auth/token/create-orphan', `auth/token/create/${encodeURIComponent(name(r))}`]), methods: ['POST', 'PUT'], fields: TOKEN_CREATE_FIELDS },
  { path: () => 'auth/token/lookup', methods: ['POST', 'GET'], fields: ['token'] },
  { path: () => 'auth/token/lookup-accessor', methods: ['POST'], fields: ['accessor'] },
  { path: () => 'auth/token/lookup-self', methods: ['GET', 'POST'], fields: [] },
  { path: () => 'auth/token/renew', methods: ['POST'], fields: ['token', 'increment'] },
  { path: () => 'auth/token/renew-self', methods: ['POST'], fields: ['increment'] },
  { path: () => 'auth/token/renew-accessor', methods: ['POST'], fields: ['accessor', 'increment'] },
  { path: (r) => r.pick(['auth/token/revoke', 'auth/token/revoke-orphan']), methods: ['POST'], fields: ['token'] },
  { path: () => 'auth/token/revoke-accessor', methods: ['POST'], fields: ['accessor'] },
  { path: () => 'auth/token/revoke-self', methods: ['POST'], fields: [] },
  { path: (r) => `auth/token/roles/${encodeURIComponent(name(r))}`, methods: ['POST', 'GET', 'DELETE'], fields: ROLE_FIELDS },
  { path: (r) => r.pick(['auth/token/roles', 'auth/token/accessors', 'auth/token/accessors/']), methods: ['LIST', 'GET'], fields: [] },
  { path: () => 'auth/token/tidy', methods: ['POST'], fields: [] },
  { path: (r) => `${r.pick(['cubbyhole', 'secret', 'fuzzkv'])}/${secretPath(r)}${r.chance(0.2) ? '/' : ''}`, methods: ['PUT', 'POST', 'GET', 'DELETE', 'LIST', 'PATCH'], fields: ['value', 'data', 'password', 'ttl', 'path', 'list', 'help', 'version', 'options'] },
  { path: (r) => `${r.pick(['cubbyhole', 'secret', 'fuzzkv'])}${r.pick(['', '/'])}`, methods: ['LIST', 'GET'], fields: [] },
  { path: (r) => `secret/data/${secretPath(r)}`, methods: ['PUT', 'POST', 'PATCH', 'GET', 'DELETE'], fields: ['data', 'options', 'version'] },
  { path: (r) => `secret/metadata/${r.chance(0.3) ? '' : secretPath(r)}`, methods: ['PUT', 'POST', 'PATCH', 'GET', 'DELETE', 'LIST'], fields: ['max_versions', 'cas_required', 'delete_version_after', 'custom_metadata', 'after', 'limit'] },
  { path: (r) => `secret/${r.pick(['delete', 'undelete', 'destroy'])}/${secretPath(r)}`, methods: ['PUT', 'POST'], fields: ['versions'] },
  { path: (r) => `secret/subkeys/${secretPath(r)}`, methods: ['GET'], fields: ['version', 'depth'] },
  { path: () => 'secret/config', methods: ['PUT', 'POST', 'GET'], fields: ['max_versions', 'cas_required', 'delete_version_after'] },
];

function endpointRequest(r: Prng, inputs: FuzzInputs): { method: string; target: string; body?: Buffer; kind: string } {
  const e = r.pick(ENDPOINTS);
  const m = r.chance(0.9) ? r.pick(e.methods) : method(r);
  let target = `/v1/${e.path(r)}`;
  if (r.chance(0.08)) target += '?' + query(r);
  const writes = m === 'POST' || m === 'PUT' || m === 'PATCH';
  if (!writes || e.fields.length === 0) {
    if (r.chance(0.8)) return { method: m, target, kind: 'none' };
  }
  const obj: { [k: string]: J } = {};
  const fields = e.fields.length ? e.fields : FIELD_NAMES;
  for (let i = r.range(1, Math.min(4, fields.length)); i > 0; i--) {
    const f = r.pick(fields);
    obj[f] = fieldValue(r, inputs, f, 2);
  }
  if (r.chance(0.1)) obj[r.pick(ODD_NAMES)] = anyValue(r, inputs, 1);
  return { method: m, target, body: Buffer.from(toJsonText(obj), 'utf8'), kind: 'endpoint-object' };
}

// ---------------------------------------------------------------------------------------
// Methods and headers

function method(r: Prng): string {
  return r.weighted<() => string>([
    [20, () => 'GET'],
    [18, () => 'POST'],
    [20, () => 'PUT'],
    [5, () => 'PATCH'],
    [8, () => 'DELETE'],
    [10, () => 'LIST'],
    [4, () => 'HEAD'],
    [2, () => 'OPTIONS'],
    [3, () => r.pick(['SCAN', 'FROB', 'TRACE', 'PROPFIND', 'SEARCH', 'QUERY', 'COPY', 'MOVE', 'LOCK', 'PURGE', 'MKCOL', 'SCAN', 'GETX', 'POSTT', 'M-SEARCH', 'LISTX', 'LIS', 'REPORT'])],
    [2, () => r.string(r.range(1, 12), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')],
  ])();
}

function tokenHeaders(r: Prng, inputs: FuzzInputs): Record<string, string> {
  const kind = r.weighted([
    [70, 'root'],
    [9, 'none'],
    [8, 'throwaway'],
    [9, 'junk'],
    [4, 'bearer'],
  ] as const);
  const junk = () =>
    r.pick([
      () => '',
      () => `hvs.${r.string(24, SAFE)}`,
      () => r.string(r.range(1, r.pick([40, 8000])), VISIBLE),
      () => 'root',
      () => 'null',
      () => ' ' + inputs.rootToken.slice(0, 10),
      () => `${inputs.rootToken.slice(0, -1)}X`,
      () => 'a b c',
    ])();
  switch (kind) {
    case 'root':
      return { 'X-Vault-Token': inputs.rootToken };
    case 'none':
      return {};
    case 'throwaway':
      return { 'X-Vault-Token': r.pick(inputs.throwawayTokens) };
    case 'junk':
      return { 'X-Vault-Token': junk() };
    case 'bearer':
      return {
        Authorization: r.pick([
          `Bearer ${inputs.rootToken}`,
          `bearer   ${inputs.rootToken}  `,
          `Bearer ${junk()}`,
          'Bearer',
          'Bearer ',
          'Basic Zm9vOmJhcg==',
          `Token ${inputs.rootToken}`,
          `Bearer ${'x'.repeat(6000)}`,
        ]),
        ...(r.chance(0.3) ? { 'X-Vault-Token': junk() } : {}),
      };
  }
}

export function generateRequest(r: Prng, inputs: FuzzInputs, n: number, phase: string): FuzzRequest {
  let m: string;
  let target: string;
  let kind: string;
  let b: Buffer | undefined;
  if (r.chance(0.4)) {
    ({ method: m, target, kind, body: b } = endpointRequest(r, inputs));
  } else {
    m = method(r);
    target = path(r);
    ({ kind, body: b } = body(r, inputs, m));
  }
  const headers: Record<string, string> = tokenHeaders(r, inputs);
  if (r.chance(0.08)) headers['X-Vault-Wrap-TTL'] = r.pick(['', '5m', '60', '0', '-1', 'abc', '1e400', '99999999999999999999', ' ', '5 m', '1h1h', 'Infinity']);
  if (b !== undefined && r.chance(0.35)) {
    headers['Content-Type'] = r.pick([
      'application/json', '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/json; charset=latin1', 'application/json; charset=utf-16', 'a/b/c', '*/*', ';;;', 'application/octet-stream',
    ]);
  }
  if (r.chance(0.05)) headers['X-Vault-Namespace'] = r.pick(['', 'ns1/', '../', 'x'.repeat(300)]);
  if (r.chance(0.05)) headers['X-Vault-Request'] = r.pick(['true', 'false', '']);
  if (r.chance(0.03)) headers['X-Forwarded-For'] = r.pick(['1.2.3.4', 'junk', '::1, 10.0.0.1']);
  const chunked = b !== undefined && r.chance(0.05);
  return { n, phase, method: m, target, headers, body: b, chunked, bodyKind: kind };
}

// ---------------------------------------------------------------------------------------
// Exclusions

/** Best-effort decoding of a request path, for the exclusion rules only. */
export function looseDecode(target: string): string {
  const q = target.indexOf('?');
  let p = q === -1 ? target : target.slice(0, q);
  p = p.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return p.replace(/^\/+v1\/+/, '').replace(/^\/+|\/+$/g, '');
}

export interface ExclusionRules {
  /** Strings that may appear only as a credential header, never in a path, query or body. */
  forbidden: string[];
  /** The root token (and anything else that must not revoke itself). */
  protectedTokens: string[];
  /** `sys/seal` is allowed only in the sealed phase. */
  sealAllowed: boolean;
}

/**
 * Why this request may not be sent (it would legitimately destroy the state the final check
 * reads), or null. See fuzz.test.ts for the list and the reasons.
 */
export function exclusionReason(req: FuzzRequest, rules: ExclusionRules): string | null {
  const bodyText = req.body?.toString('latin1') ?? '';
  const decoded = looseDecode(req.target);
  for (const s of rules.forbidden) {
    if (req.target.includes(s) || decoded.includes(s) || bodyText.includes(s)) return 'names a protected token or the canary';
  }
  if (!rules.sealAllowed && /^sys\/+seal(\/|$)/.test(decoded)) return 'sys/seal outside the sealed phase';
  const credential = Object.values(req.headers).join('\n');
  if (/^auth\/+token\/+revoke-self/.test(decoded) && rules.protectedTokens.some((t) => credential.includes(t))) {
    return 'revoke-self with a protected token';
  }
  const q = req.target.indexOf('?');
  if (/^sys\/+health/.test(decoded) && q !== -1) {
    let params: URLSearchParams | undefined;
    try {
      params = new URLSearchParams(req.target.slice(q + 1));
    } catch {
      params = undefined;
    }
    for (const [k, v] of params ?? []) if (/code$/i.test(k) && Number(v) >= 500) return 'sys/health with a caller-chosen 5xx status';
  }
  return null;
}
