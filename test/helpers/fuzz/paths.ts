/**
 * Fuzz request targets: `/v1/` paths built from real prefixes plus clean or hostile segments
 * (percent escapes, dot segments, Unicode, raw Latin-1, very long ones), odd API versions,
 * and query strings.
 */
import { SAFE, unicodeString, VISIBLE } from './alphabets.js';
import type { Prng } from './prng.js';

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
  'sys/rekey/verify',
  'sys/rekey/backup',
  'sys/generate-root-token/attempt',
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
  'identity/entity',
  'identity/entity/id/',
  'identity/entity/name/',
  'identity/entity/batch-delete',
  'identity/entity/merge',
  'identity/entity-alias',
  'identity/entity-alias/id/',
  'identity/group',
  'identity/group/id/',
  'identity/group/name/',
  'identity/group-alias',
  'identity/group-alias/id/',
  'identity/lookup/entity',
  'identity/lookup/group',
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

export function query(r: Prng): string {
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

export function path(r: Prng): string {
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
