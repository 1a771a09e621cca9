/**
 * The functions every Go template has: comparison, logic, `index`, `len`, `slice`, the
 * print family and the escapers. Errors say what Go's say, so a template that fails under
 * Vault Agent fails the same way here.
 */
import type { FunctionMap, TemplateFunction } from './exec.js';
import { isTrue } from './exec.js';
import { goType, isMap, sprint, sprintf, sprintln, type Value } from './format.js';

export const fixed = (n: number, call: TemplateFunction['call']): TemplateFunction => ({ call, min: n, max: n });
export const variadic = (min: number, call: TemplateFunction['call']): TemplateFunction => ({ call, min });

type Basic = 'string' | 'number' | 'bool' | 'nil';
function basicKind(v: Value): Basic {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  throw new Error(`non-comparable type ${goType(v)}`);
}

function equal(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return a === b;
}

function less(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'bool' || ka === 'nil' || kb === 'bool' || kb === 'nil') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return (a as string | number) < (b as string | number);
}

function toIndex(i: Value, len: number, cap = len): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new Error(`cannot index slice/array with type ${goType(i)}`);
  if (i < 0 || i > cap) throw new Error(`index out of range: ${i}`);
  return i;
}

function index(item: Value, ...keys: Value[]): Value {
  let v = item;
  for (const k of keys) {
    if (Array.isArray(v)) {
      const i = toIndex(k, v.length);
      if (i >= v.length) throw new Error(`index out of range: ${i}`);
      v = v[i];
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      const i = toIndex(k, bytes.length);
      if (i >= bytes.length) throw new Error(`index out of range: ${i}`);
      v = bytes[i];
    } else if (isMap(v)) {
      if (typeof k !== 'string') throw new Error(`value has type ${goType(k)}; should be string`);
      v = Object.hasOwn(v, k) ? v[k] : undefined;
    } else if (v === null || v === undefined) {
      throw new Error('index of untyped nil');
    } else {
      throw new Error(`can't index item of type ${goType(v)}`);
    }
  }
  return v;
}

function slice(item: Value, ...bounds: Value[]): Value {
  if (bounds.length > 3) throw new Error(`too many slice indexes: ${bounds.length}`);
  if (typeof item === 'string') {
    if (bounds.length > 2) throw new Error('cannot 3-index slice a string');
    const bytes = Buffer.from(item, 'utf8');
    const lo = bounds.length > 0 ? toIndex(bounds[0], bytes.length) : 0;
    const hi = bounds.length > 1 ? toIndex(bounds[1], bytes.length) : bytes.length;
    if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
    return bytes.subarray(lo, hi).toString('utf8');
  }
  if (Array.isArray(item)) {
    const lo = bounds.length > 0 ? toIndex(bounds[0], item.length) : 0;
    const hi = bounds.length > 1 ? toIndex(bounds[1], item.length) : item.length;
    if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
    return item.slice(lo, hi);
  }
  throw new Error(`can't slice item of type ${goType(item)}`);
}

function length(v: Value): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  if (v === null || v === undefined) throw new Error('len of nil pointer');
  throw new Error(`len of type ${goType(v)}`);
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' };

export const goBuiltins: FunctionMap = {
  and: variadic(1, () => undefined), // evaluated lazily by exec
  or: variadic(1, () => undefined),
  not: fixed(1, (v) => !isTrue(v)),
  len: fixed(1, length),
  index: variadic(1, index),
  slice: variadic(1, slice),
  print: variadic(0, (...a) => sprint(a)),
  println: variadic(0, (...a) => sprintln(a)),
  printf: variadic(1, (f, ...a) => {
    if (typeof f !== 'string') throw new Error(`format must be a string, not ${goType(f)}`);
    return sprintf(f, a);
  }),
  eq: variadic(1, (a, ...rest) => {
    if (rest.length === 0) throw new Error('missing argument for comparison');
    return rest.some((b) => equal(a, b));
  }),
  ne: fixed(2, (a, b) => !equal(a, b)),
  lt: fixed(2, (a, b) => less(a, b)),
  le: fixed(2, (a, b) => less(a, b) || equal(a, b)),
  gt: fixed(2, (a, b) => !less(a, b) && !equal(a, b)),
  ge: fixed(2, (a, b) => !less(a, b)),
  html: variadic(0, (...a) => sprint(a).replace(/[<>&'"\0]/g, (c) => HTML[c]!)),
  urlquery: variadic(0, (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())),
  js: variadic(0, (...a) =>
    sprint(a).replace(/[\\'"<>&=\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`),
  ),
};
