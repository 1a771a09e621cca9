/**
 * Tokenizer for HCL version 1: identifiers, quoted strings, heredocs, numbers and the
 * punctuation `= { } [ ] ,`. Whitespace (newlines included) and the three comment styles
 * (`#`, `//`, `/* *\/`) separate tokens and are otherwise ignored, as in HCL1.
 */
import { excerpt, syntaxErrorAt, type HclSyntaxError } from './errors.js';

export type TokenType = 'ident' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  type: TokenType;
  /** Decoded string for strings and heredocs, the text of identifiers and punctuation. */
  text: string;
  /** Numeric value of a number token. */
  num: number;
  /** Offset of the first character. */
  start: number;
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c) || c === 45 || c === 46;
const isBlank = (c: number) => c === 32 || c === 9 || c === 13;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', '/': '/' };

export class Lexer {
  private pos = 0;
  private peeked: Token | undefined;

  /** Offsets of every newline, for line numbers without rescanning the text. */
  private newlines: number[] | undefined;

  constructor(readonly text: string) {}

  /** Line (1-based) of an offset: binary search over the newline offsets. */
  lineAt(offset: number): number {
    if (!this.newlines) {
      this.newlines = [];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.newlines.push(i);
    }
    const nl = this.newlines;
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nl[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  error(offset: number, detail: string): HclSyntaxError {
    return syntaxErrorAt(this.text, offset, detail);
  }

  /** How a token is named in an error message. */
  describe(t: Token): string {
    switch (t.type) {
      case 'eof':
        return 'end of input';
      case 'string':
        return 'a string';
      case 'number':
        return 'a number';
      case 'punct':
        return `'${t.text}'`;
      default:
        return `identifier ${excerpt(t.text)}`;
    }
  }

  private skipSpaceAndComments(): void {
    const s = this.text;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (isBlank(c) || c === 10) {
        this.pos++;
      } else if (c === 35 || (c === 47 && s.charCodeAt(this.pos + 1) === 47)) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl === -1 ? s.length : nl + 1;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 42) {
        const close = s.indexOf('*/', this.pos + 2);
        if (close === -1) throw this.error(this.pos, 'unterminated /* comment');
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    this.skipSpaceAndComments();
    const s = this.text;
    const start = this.pos;
    if (start >= s.length) return { type: 'eof', text: '', num: 0, start };
    const c = s.charCodeAt(start);
    const ch = s[start]!;
    if ('={}[],'.includes(ch)) {
      this.pos++;
      return { type: 'punct', text: ch, num: 0, start };
    }
    if (c === 34) return { type: 'string', text: this.scanString(), num: 0, start };
    if (c === 60 && s.charCodeAt(start + 1) === 60) return { type: 'string', text: this.scanHeredoc(), num: 0, start };
    if (isDigit(c) || (c === 45 && isDigit(s.charCodeAt(start + 1)))) return this.scanNumber();
    if (isIdentStart(c)) {
      let end = start + 1;
      while (end < s.length && isIdentPart(s.charCodeAt(end))) end++;
      this.pos = end;
      return { type: 'ident', text: s.slice(start, end), num: 0, start };
    }
    if (c === 58) throw this.error(start, "unexpected ':' (HCL uses '=' between a key and its value)");
    throw this.error(start, `unexpected character ${excerpt(String.fromCodePoint(s.codePointAt(start)!))}`);
  }

  private scanNumber(): Token {
    const s = this.text;
    const start = this.pos;
    let end = start;
    if (s.charCodeAt(end) === 45) end++;
    let value: number;
    if (s.charCodeAt(end) === 48 && (s[end + 1] === 'x' || s[end + 1] === 'X')) {
      end += 2;
      const digitsStart = end;
      while (end < s.length && /[0-9a-fA-F]/.test(s[end]!)) end++;
      if (end === digitsStart) throw this.error(start, 'invalid hexadecimal number');
      value = parseInt(s.slice(digitsStart, end), 16) * (s.charCodeAt(start) === 45 ? -1 : 1);
    } else {
      while (isDigit(s.charCodeAt(end))) end++;
      if (s.charCodeAt(end) === 46) {
        end++;
        if (!isDigit(s.charCodeAt(end))) throw this.error(start, 'invalid number: digits expected after the decimal point');
        while (isDigit(s.charCodeAt(end))) end++;
      }
      if (s[end] === 'e' || s[end] === 'E') {
        end++;
        if (s[end] === '+' || s[end] === '-') end++;
        if (!isDigit(s.charCodeAt(end))) throw this.error(start, 'invalid number: digits expected in the exponent');
        while (isDigit(s.charCodeAt(end))) end++;
      }
      value = Number(s.slice(start, end));
    }
    if (end < s.length && isIdentPart(s.charCodeAt(end))) {
      throw this.error(start, 'invalid number (values such as durations must be quoted strings)');
    }
    if (!Number.isFinite(value)) throw this.error(start, 'number out of range');
    this.pos = end;
    return { type: 'number', text: s.slice(start, end), num: value, start };
  }

  private scanString(): string {
    const s = this.text;
    const start = this.pos;
    let i = start + 1;
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= s.length) throw this.error(start, 'unterminated string');
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c === 10) throw this.error(start, 'unterminated string (a newline is not allowed inside quotes)');
      if (c !== 92) {
        i++;
        continue;
      }
      out += s.slice(chunk, i);
      const e = s[i + 1];
      if (e === undefined) throw this.error(start, 'unterminated string');
      if (e in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = s.slice(i + 2, i + 2 + n);
        const cp = /^[0-9a-fA-F]+$/.test(hex) && hex.length === n ? parseInt(hex, 16) : -1;
        if (cp < 0 || cp > 0x10ffff) throw this.error(i, `invalid \\${e} escape: ${n} hexadecimal digits expected`);
        out += String.fromCodePoint(cp);
        i += 2 + n;
      } else {
        throw this.error(i, `invalid escape sequence ${excerpt('\\' + e)}`);
      }
      chunk = i;
    }
    this.pos = i + 1;
    return out + s.slice(chunk, i);
  }

  /** `<<EOF` or `<<-EOF` then a newline; the value runs to a line holding only the marker. */
  private scanHeredoc(): string {
    const s = this.text;
    const start = this.pos;
    let i = start + 2;
    const indented = s[i] === '-';
    if (indented) i++;
    const markerStart = i;
    while (i < s.length && isIdentPart(s.charCodeAt(i))) i++;
    const marker = s.slice(markerStart, i);
    if (!marker || !isIdentStart(marker.charCodeAt(0))) throw this.error(start, 'heredoc marker expected after <<');
    while (isBlank(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 10) throw this.error(i, 'a heredoc marker must be followed by a newline');
    i++;
    const lines: string[] = [];
    for (;;) {
      if (i >= s.length) throw this.error(start, `unterminated heredoc: no closing ${excerpt(marker)} line`);
      let nl = s.indexOf('\n', i);
      if (nl === -1) nl = s.length;
      const line = s.slice(i, nl).replace(/\r$/, '');
      const bare = indented ? line.trim() : line.trimEnd();
      i = nl + 1;
      if (bare === marker) break;
      lines.push(line);
    }
    this.pos = Math.min(i, s.length);
    if (indented) return dedent(lines);
    return lines.map((l) => l + '\n').join('');
  }
}

/** `<<-` heredocs lose the smallest indentation shared by their non-blank lines. */
function dedent(lines: string[]): string {
  let min = Infinity;
  for (const l of lines) {
    if (!l.trim()) continue;
    const lead = l.length - l.trimStart().length;
    if (lead < min) min = lead;
  }
  if (min === Infinity) min = 0;
  return lines.map((l) => l.slice(Math.min(min, l.length - l.trimStart().length)) + '\n').join('');
}
