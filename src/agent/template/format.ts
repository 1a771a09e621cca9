/**
 * Go's fmt for template values: how `{{ . }}`, `print`, `println` and `printf` turn values
 * into text. Values are JSON-shaped (string, number, boolean, null, array, object); a
 * number with no fraction plays Go's int, any other plays float64.
 */

export type Value = unknown;

/** Go's name for a value's type, as fmt prints it in `%!d(string=x)` and `%T`. */
export function goType(v: Value): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  return typeof v;
}

export const isMap = (v: Value): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `%v`: Go's default format. */
export function formatValue(v: Value): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  return goG(n, -1);
}

/** `%g` with Go's exponent form (`1e+06`); precision -1 means shortest. */
function goG(n: number, prec: number): string {
  const shortest = prec < 0;
  const p = shortest ? undefined : Math.max(prec, 1);
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  const eLimit = shortest ? 21 : p!;
  if (exp < -4 || exp >= eLimit) {
    let s = shortest ? n.toExponential() : n.toExponential(p! - 1);
    if (!shortest) s = s.replace(/\.?0+e/, 'e');
    return s.replace(/e([+-])(\d)$/, 'e$10$2');
  }
  if (shortest) return String(n);
  return String(Number(n.toPrecision(p)));
}

/** `fmt.Sprint`: a space between operands when neither side is a string. */
export function sprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

export function sprintln(args: Value[]): string {
  return args.map((a) => formatValue(a)).join(' ') + '\n';
}

/** strconv.Quote: printable characters kept, the rest escaped. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (/[\p{C}]/u.test(ch)) out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
}

const bad = (verb: string, v: Value) => `%!${verb}(${goType(v)}=${formatValue(v)})`;

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || s.length >= spec.width) return s;
  const fill = spec.width - s.length;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

function signed(s: string, n: number, spec: Spec): string {
  if (n >= 0 && !Object.is(n, -0)) return (spec.plus ? '+' : spec.space ? ' ' : '') + s;
  return s;
}

function formatOne(verb: string, v: Value, spec: Spec): string {
  const isInt = typeof v === 'number' && Number.isInteger(v);
  switch (verb) {
    case 'v':
      if (typeof v === 'number') return pad(signed(formatNumber(v), v, spec), spec, true);
      if (spec.sharp && typeof v === 'string') return pad(goQuote(v), spec, false);
      return pad(formatValue(v), spec, false);
    case 's':
      if (typeof v === 'string') return pad(spec.prec !== undefined ? [...v].slice(0, spec.prec).join('') : v, spec, false);
      if (Array.isArray(v) || isMap(v)) return pad(formatValue(v), spec, false);
      return bad(verb, v);
    case 'q':
      if (typeof v === 'string') return pad(spec.sharp && !v.includes('`') ? '`' + v + '`' : goQuote(v), spec, false);
      if (isInt) return pad(`'${String.fromCodePoint(v as number)}'`, spec, false);
      return bad(verb, v);
    case 'd':
      if (isInt) return pad(signed(String(v), v as number, spec), spec, true);
      return bad(verb, v);
    case 'b':
    case 'o':
    case 'O':
    case 'x':
    case 'X': {
      const radix = verb === 'b' ? 2 : verb === 'o' || verb === 'O' ? 8 : 16;
      if (isInt) {
        const n = v as number;
        let s = Math.abs(n).toString(radix);
        if (verb === 'X') s = s.toUpperCase();
        if (spec.sharp || verb === 'O') s = (verb === 'x' ? '0x' : verb === 'X' ? '0X' : verb === 'b' ? '0b' : '0o') + s;
        return pad(signed((n < 0 ? '-' : '') + s, n, spec), spec, true);
      }
      if (typeof v === 'string' && radix === 16) {
        const hex = Buffer.from(v, 'utf8').toString('hex');
        return pad(verb === 'X' ? hex.toUpperCase() : hex, spec, false);
      }
      return bad(verb, v);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (typeof v !== 'number') return bad(verb, v);
      const prec = spec.prec;
      let s: string;
      if (verb === 'f' || verb === 'F') s = v.toFixed(prec ?? 6);
      else if (verb === 'e' || verb === 'E') s = v.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      else s = goG(v, prec ?? -1);
      if (verb === 'E' || verb === 'G') s = s.toUpperCase();
      return pad(signed(s, v, spec), spec, true);
    }
    case 't':
      if (typeof v === 'boolean') return pad(String(v), spec, false);
      return bad(verb, v);
    case 'c':
      if (isInt) return pad(String.fromCodePoint(v as number), spec, false);
      return bad(verb, v);
    case 'T':
      return pad(goType(v), spec, false);
    default:
      return `%!${verb}(${goType(v)}=${formatValue(v)})`;
  }
}

/** `fmt.Sprintf` with Go's verbs, flags, width and precision, and its in-band error notes. */
export function sprintf(format: string, args: Value[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false };
    i++;
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === ' ') spec.space = true;
      else if (f === '0') spec.zero = !spec.minus;
      else if (f === '#') spec.sharp = true;
      else break;
    }
    const num = () => {
      let s = '';
      while (i < format.length && /[0-9]/.test(format[i]!)) s += format[i++];
      return s === '' ? undefined : Number(s);
    };
    if (format[i] === '*') {
      const w = args[argi++];
      spec.width = typeof w === 'number' ? Math.abs(w) : undefined;
      if (typeof w === 'number' && w < 0) spec.minus = true;
      i++;
    } else spec.width = num();
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        const pr = args[argi++];
        spec.prec = typeof pr === 'number' ? pr : 0;
        i++;
      } else spec.prec = num() ?? 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++], spec);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => `${goType(a)}=${formatValue(a)}`).join(', ')})`;
  }
  return out;
}
