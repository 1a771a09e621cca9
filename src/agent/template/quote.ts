/** Go's quoted string and character literals: the escapes `strconv.Unquote` accepts. */
import { TemplateError, type Position } from './errors.js';

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Decodes the body of a literal (without its quotes); `quote` is the quote that may be escaped. */
function decode(body: string, quote: string, pos: Position): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new TemplateError(pos, 'invalid syntax: trailing backslash');
    if (e in SIMPLE && (e !== '"' || quote === '"') && (e !== "'" || quote === "'")) {
      out += SIMPLE[e];
      continue;
    }
    const hex = (n: number) => {
      const h = body.slice(i + 1, i + 1 + n);
      if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new TemplateError(pos, `invalid syntax: bad escape \\${e}${h}`);
      i += n;
      return parseInt(h, 16);
    };
    if (e === 'x') out += String.fromCharCode(hex(2));
    else if (e === 'u') out += String.fromCodePoint(hex(4));
    else if (e === 'U') out += String.fromCodePoint(hex(8));
    else if (/[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new TemplateError(pos, `invalid syntax: bad octal escape \\${o}`);
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
    } else throw new TemplateError(pos, `invalid syntax: unknown escape \\${e}`);
  }
  return out;
}

export function unquoteString(lit: string, pos: Position): string {
  return decode(lit.slice(1, -1), '"', pos);
}

/** A character constant is a number in Go: its code point. */
export function unquoteChar(lit: string, pos: Position): number {
  const s = decode(lit.slice(1, -1), "'", pos);
  const cp = s.codePointAt(0);
  if (cp === undefined || String.fromCodePoint(cp) !== s) throw new TemplateError(pos, `malformed character constant: ${lit}`);
  return cp;
}
