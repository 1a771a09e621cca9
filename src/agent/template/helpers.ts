/**
 * consul-template's helper functions that need no server: strings, encodings, parsing and
 * math, in its argument order: the value worked on comes last, so it can be piped
 * (`{{ .Data.data.csv | split "," | join ";" }}`). Errors never quote that value: it may
 * be a secret, and errors reach the agent's log.
 */
import { createHash } from 'node:crypto';
import { fixed, variadic } from './builtins.js';
import { goJSON, toYaml } from './encode.js';
import type { FunctionMap } from './exec.js';
import { formatValue, goType, isMap, type Value } from './format.js';

const str = (v: Value, what: string): string => {
  if (typeof v === 'string') return v;
  throw new Error(`${what} must be a string, not ${goType(v)}`);
};
const strList = (v: Value, what: string): string[] => {
  if (!Array.isArray(v)) throw new Error(`${what} must be a list, not ${goType(v)}`);
  return v.map((e) => (typeof e === 'string' ? e : formatValue(e)));
};

function base64Decode(s: string, url: boolean): string {
  const alphabet = url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  if (!alphabet.test(s) || s.replace(/=+$/, '').length % 4 === 1) throw new Error('illegal base64 data');
  return Buffer.from(s, url ? 'base64url' : 'base64').toString('utf8');
}

/** consul-template's `in`: an element of a list, or a substring of a string. */
function within(haystack: Value, needle: Value): boolean {
  if (Array.isArray(haystack)) return haystack.some((e) => e === needle || (typeof e === 'object' && JSON.stringify(e) === JSON.stringify(needle)));
  if (typeof haystack === 'string') return haystack.includes(str(needle, 'needle'));
  if (haystack === null || haystack === undefined) return false;
  throw new Error(`cannot search in type ${goType(haystack)}`);
}

function num(v: Value, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new Error(`${what}: ${goType(v)} is not a number`);
}

function arith(op: (a: number, b: number) => number, integerDivision = false) {
  return (b: Value, a: Value) => {
    const x = num(a, 'left operand');
    const y = num(b, 'right operand');
    if (integerDivision && Number.isInteger(x) && Number.isInteger(y)) {
      if (y === 0) throw new Error('division by zero');
      return Math.trunc(op(x, y));
    }
    return op(x, y);
  };
}

function parseIntGo(s: string): number {
  const t = s.trim();
  if (!/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[0-9]+)$/.test(t)) throw new Error('strconv.ParseInt: invalid syntax');
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  const n = /^0[0-7]+$/.test(body) ? parseInt(body, 8) : Number(body.replace(/^0[oO]/, '0o'));
  return neg ? -n : n;
}

/**
 * A Go (RE2) pattern as a JS RegExp: leading flag groups such as `(?i)` or `(?sm)` become
 * JS flags, `(?P<name>` becomes `(?<name>`. A pattern that does not compile is an error
 * that does not quote it.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  let p = pattern;
  const set = new Set(flags);
  for (let m = /^\(\?([ims]+)\)/.exec(p); m; m = /^\(\?([ims]+)\)/.exec(p)) {
    for (const f of m[1]!) set.add(f);
    p = p.slice(m[0].length);
  }
  p = p.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(p, [...set].join('') + 'u');
  } catch {
    try {
      return new RegExp(p, [...set].join(''));
    } catch (e) {
      throw new Error(`invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}`);
    }
  }
}

/** Go's replacement template (`$1`, `${1}`, `$name`, `${name}`, `$$`) in JS's spelling. */
const goReplacement = (t: string) =>
  t.replace(/\$(?:\$|\{(\w+)\}|(\w+))/g, (m, braced?: string, bare?: string) => {
    const g = braced ?? bare;
    if (g === undefined) return '$$';
    return /^\d+$/.test(g) ? `$${g}` : `$<${g}>`;
  });

/** Most elements `loop` may produce: a count from secret data must not exhaust memory. */
const MAX_LOOP_COUNT = 1_000_000;

const title = (s: string) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());

export const consulHelpers: FunctionMap = {
  base64Encode: fixed(1, (s) => Buffer.from(str(s, 'value'), 'utf8').toString('base64')),
  base64Decode: fixed(1, (s) => base64Decode(str(s, 'value'), false)),
  base64URLEncode: fixed(1, (s) => Buffer.from(str(s, 'value'), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')),
  base64URLDecode: fixed(1, (s) => base64Decode(str(s, 'value'), true)),
  contains: fixed(2, (needle, haystack) => within(haystack, needle)),
  in: fixed(2, (haystack, needle) => within(haystack, needle)),
  containsAll: fixed(2, (needles, haystack) => (needles as Value[] ?? []).every((n) => within(haystack, n))),
  containsAny: fixed(2, (needles, haystack) => (needles as Value[] ?? []).some((n) => within(haystack, n))),
  containsNone: fixed(2, (needles, haystack) => !(needles as Value[] ?? []).some((n) => within(haystack, n))),
  containsNotAll: fixed(2, (needles, haystack) => !(needles as Value[] ?? []).every((n) => within(haystack, n))),
  env: fixed(1, (name) => process.env[str(name, 'name')] ?? ''),
  mustEnv: fixed(1, (name) => {
    const v = process.env[str(name, 'name')];
    if (v === undefined) throw new Error(`environment variable ${str(name, 'name')} is not set`);
    return v;
  }),
  envOrDefault: fixed(2, (name, def) => process.env[str(name, 'name')] ?? def),
  indent: fixed(2, (n, s) => {
    const spaces = num(n, 'indent');
    if (spaces < 0) throw new Error('indent value must be a positive integer');
    const pad = ' '.repeat(spaces);
    return str(s, 'value').split('\n').map((l) => pad + l).join('\n');
  }),
  join: fixed(2, (sep, list) => strList(list, 'list').join(str(sep, 'separator'))),
  split: fixed(2, (sep, s) => {
    const text = str(s, 'value');
    // consul-template gives an empty list for an empty string, unlike strings.Split.
    if (text === '') return [];
    return text.split(str(sep, 'separator'));
  }),
  replaceAll: fixed(3, (from, to, s) => str(s, 'value').split(str(from, 'old')).join(str(to, 'new'))),
  regexMatch: fixed(2, (re, s) => goRegExp(str(re, 'pattern'), '').test(str(s, 'value'))),
  regexReplaceAll: fixed(3, (re, to, s) => str(s, 'value').replace(goRegExp(str(re, 'pattern'), 'g'), goReplacement(str(to, 'replacement')))),
  trimSpace: fixed(1, (s) => str(s, 'value').trim()),
  trim: fixed(2, (cut, s) => {
    const set = new Set([...str(cut, 'cutset')]);
    const chars = [...str(s, 'value')];
    let a = 0;
    let b = chars.length;
    while (a < b && set.has(chars[a]!)) a++;
    while (b > a && set.has(chars[b - 1]!)) b--;
    return chars.slice(a, b).join('');
  }),
  trimPrefix: fixed(2, (p, s) => (str(s, 'value').startsWith(str(p, 'prefix')) ? str(s, 'value').slice(str(p, 'prefix').length) : s)),
  trimSuffix: fixed(2, (p, s) => (str(p, 'suffix') !== '' && str(s, 'value').endsWith(str(p, 'suffix')) ? str(s, 'value').slice(0, -str(p, 'suffix').length) : s)),
  toLower: fixed(1, (s) => str(s, 'value').toLowerCase()),
  toUpper: fixed(1, (s) => str(s, 'value').toUpperCase()),
  toTitle: fixed(1, (s) => title(str(s, 'value'))),
  toJSON: fixed(1, (v) => goJSON(v, false)),
  toJSONPretty: fixed(1, (v) => goJSON(v, true)),
  toUnescapedJSON: fixed(1, (v) => goJSON(v, false, false)),
  toUnescapedJSONPretty: fixed(1, (v) => goJSON(v, true, false)),
  toYAML: fixed(1, (v) => toYaml(v).replace(/\n+$/, '')),
  parseJSON: fixed(1, (s) => {
    try {
      return JSON.parse(str(s, 'value')) as Value;
    } catch {
      throw new Error('value is not valid JSON');
    }
  }),
  parseBool: fixed(1, (s) => {
    const t = str(s, 'value');
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(t)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(t)) return false;
    throw new Error('strconv.ParseBool: invalid syntax');
  }),
  parseInt: fixed(1, (s) => (str(s, 'value') === '' ? 0 : parseIntGo(str(s, 'value')))),
  parseUint: fixed(1, (s) => {
    const n = str(s, 'value') === '' ? 0 : parseIntGo(str(s, 'value'));
    if (n < 0) throw new Error('strconv.ParseUint: invalid syntax');
    return n;
  }),
  parseFloat: fixed(1, (s) => {
    const t = str(s, 'value');
    if (t === '') return 0;
    const n = Number(t);
    if (t.trim() !== t || Number.isNaN(n)) throw new Error('strconv.ParseFloat: invalid syntax');
    return n;
  }),
  sha256Hex: fixed(1, (s) => createHash('sha256').update(str(s, 'value'), 'utf8').digest('hex')),
  md5sum: fixed(1, (s) => createHash('md5').update(str(s, 'value'), 'utf8').digest('hex')),
  timestamp: variadic(0, (fmt) => {
    const now = new Date();
    if (fmt === undefined) return now.toISOString().replace(/\.\d+Z$/, 'Z');
    if (fmt === 'unix') return String(Math.floor(now.getTime() / 1000));
    throw new Error('timestamp supports no format or "unix"');
  }),
  loop: variadic(1, (...a) => {
    if (a.length > 2) throw new Error('loop takes one or two integers');
    const [from, to] = a.length === 1 ? [0, num(a[0], 'loop')] : [num(a[0], 'loop'), num(a[1], 'loop')];
    if (to - from > MAX_LOOP_COUNT) throw new Error(`loop count exceeds the maximum of ${MAX_LOOP_COUNT} iterations`);
    const list: number[] = [];
    for (let i = from; i < to; i++) list.push(i);
    return list;
  }),
  add: fixed(2, arith((a, b) => a + b)),
  subtract: fixed(2, arith((a, b) => a - b)),
  multiply: fixed(2, arith((a, b) => a * b)),
  divide: fixed(2, arith((a, b) => a / b, true)),
  modulo: fixed(2, arith((a, b) => a % b, true)),
  minimum: fixed(2, (b, a) => Math.min(num(a, 'minimum'), num(b, 'minimum'))),
  maximum: fixed(2, (b, a) => Math.max(num(a, 'maximum'), num(b, 'maximum'))),
  explodeMap: fixed(1, (m) => {
    if (!isMap(m)) throw new Error(`explodeMap needs a map, not ${goType(m)}`);
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(m)) {
      let cur = out;
      const parts = k.split('/').filter((p) => p !== '');
      parts.slice(0, -1).forEach((p) => (cur = (isMap(cur[p]) ? cur[p] : (cur[p] = {})) as Record<string, Value>));
      if (parts.length) cur[parts[parts.length - 1]!] = v;
    }
    return out;
  }),
};
