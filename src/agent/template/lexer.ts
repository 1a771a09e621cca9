/**
 * Tokens of Go's text/template language as consul-template reads it: text between actions,
 * and inside `{{ }}` identifiers, fields, variables, literals and punctuation. Trim markers
 * (`{{- ` and ` -}}`) are applied here, so the parser only ever sees trimmed text.
 */
import { TemplateError, type Position } from './errors.js';

export type TokenKind =
  | 'text' | 'leftDelim' | 'rightDelim' | 'ident' | 'field' | 'variable' | 'string' | 'rawString' | 'char'
  | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'comma'
  | 'keyword' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text; for text tokens, the text after trimming. */
  value: string;
  pos: Position;
  /** Offset in the source: a field chain (`$x.a`, `(f).a`) touches what it follows. */
  offset: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

export interface LexOptions {
  name: string;
  leftDelim?: string;
  rightDelim?: string;
}

const SPACE = /[ \t\r\n]/;
const isSpace = (c: string | undefined) => c !== undefined && SPACE.test(c);
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;

export function lex(src: string, opts: LexOptions): Token[] {
  const left = opts.leftDelim || '{{';
  const right = opts.rightDelim || '}}';
  const tokens: Token[] = [];
  // Line starts, so an offset turns into line:col for error messages.
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const posAt = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { name: opts.name, line: lo + 1, col: offset - lineStarts[lo]! + 1 };
  };
  const fail = (offset: number, msg: string): never => {
    throw new TemplateError(posAt(offset), msg);
  };

  let i = 0;
  let trimNextText = false;
  while (i < src.length) {
    const start = src.indexOf(left, i);
    const textEnd = start < 0 ? src.length : start;
    let text = src.slice(i, textEnd);
    const trimLeft = start >= 0 && src[start + left.length] === '-' && isSpace(src[start + left.length + 1]);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text !== '') tokens.push({ kind: 'text', value: text, pos: posAt(i), offset: i });
    trimNextText = false;
    if (start < 0) break;

    let j = start + left.length + (trimLeft ? 2 : 0);
    // A comment fills the whole action: `{{/* … */}}`, optionally with trim markers.
    if (src.startsWith('/*', j)) {
      const close = src.indexOf('*/', j + 2);
      if (close < 0) fail(start, 'unclosed comment');
      let k = close + 2;
      let trimRight = false;
      if (src[k] === ' ' && src[k + 1] === '-' && src.startsWith(right, k + 2)) {
        trimRight = true;
        k += 2;
      }
      if (!src.startsWith(right, k)) fail(close, 'comment ends before closing delimiter');
      i = k + right.length;
      trimNextText = trimRight;
      continue;
    }
    tokens.push({ kind: 'leftDelim', value: left, pos: posAt(start), offset: start });
    let parenDepth = 0;
    for (;;) {
      if (j >= src.length) fail(start, 'unclosed action');
      // The right delimiter, with or without a trim marker before it.
      if (isSpace(src[j]) && src[j + 1] === '-' && src.startsWith(right, j + 2)) {
        if (parenDepth > 0) fail(j, 'unclosed left paren');
        tokens.push({ kind: 'rightDelim', value: right, pos: posAt(j + 2), offset: j + 2 });
        i = j + 2 + right.length;
        trimNextText = true;
        break;
      }
      if (src.startsWith(right, j)) {
        if (parenDepth > 0) fail(j, 'unclosed left paren');
        tokens.push({ kind: 'rightDelim', value: right, pos: posAt(j), offset: j });
        i = j + right.length;
        break;
      }
      const c = src[j]!;
      const at = j;
      const push = (kind: TokenKind, value: string) => tokens.push({ kind, value, pos: posAt(at), offset: at });
      if (isSpace(c)) {
        j++;
        continue;
      }
      if (c === '|') { push('pipe', c); j++; continue; }
      if (c === ',') { push('comma', c); j++; continue; }
      if (c === '(') { push('leftParen', c); parenDepth++; j++; continue; }
      if (c === ')') {
        if (parenDepth === 0) fail(j, 'unexpected right paren');
        push('rightParen', c); parenDepth--; j++; continue;
      }
      if (c === ':') {
        if (src[j + 1] !== '=') fail(j, 'expected :=');
        push('declare', ':='); j += 2; continue;
      }
      if (c === '=') { push('assign', '='); j++; continue; }
      if (c === '"') {
        let k = j + 1;
        while (k < src.length && src[k] !== '"') {
          if (src[k] === '\\') k++;
          if (src[k] === '\n' || k >= src.length) fail(j, 'unterminated quoted string');
          k++;
        }
        if (k >= src.length) fail(j, 'unterminated quoted string');
        push('string', src.slice(j, k + 1)); j = k + 1; continue;
      }
      if (c === '`') {
        const k = src.indexOf('`', j + 1);
        if (k < 0) fail(j, 'unterminated raw quoted string');
        push('rawString', src.slice(j, k + 1)); j = k + 1; continue;
      }
      if (c === "'") {
        let k = j + 1;
        while (k < src.length && src[k] !== "'") {
          if (src[k] === '\\') k++;
          if (src[k] === '\n') fail(j, 'unterminated character constant');
          k++;
        }
        if (k >= src.length) fail(j, 'unterminated character constant');
        push('char', src.slice(j, k + 1)); j = k + 1; continue;
      }
      if (c === '$') {
        let k = j + 1;
        while (k < src.length && IDENT_PART.test(src[k]!)) k++;
        push('variable', src.slice(j, k)); j = k; continue;
      }
      if (c === '.') {
        if (/[0-9]/.test(src[j + 1] ?? '')) {
          const k = scanNumber(src, j);
          push('number', src.slice(j, k)); j = k; continue;
        }
        let k = j + 1;
        while (k < src.length && IDENT_PART.test(src[k]!)) k++;
        if (k === j + 1) push('dot', '.');
        else push('field', src.slice(j, k));
        j = k;
        continue;
      }
      if (/[0-9+-]/.test(c)) {
        const k = scanNumber(src, j);
        if (k === j || (k === j + 1 && /[+-]/.test(c))) fail(j, `unexpected "${c}" in command`);
        if (IDENT_PART.test(src[k] ?? '')) fail(j, `bad number syntax: "${src.slice(j, k + 1)}"`);
        push('number', src.slice(j, k)); j = k; continue;
      }
      if (IDENT_START.test(c)) {
        let k = j + 1;
        while (k < src.length && IDENT_PART.test(src[k]!)) k++;
        const word = src.slice(j, k);
        if (word === 'true' || word === 'false') push('bool', word);
        else if (word === 'nil') push('nil', word);
        else if (KEYWORDS.has(word)) push('keyword', word);
        else push('ident', word);
        j = k;
        continue;
      }
      fail(j, `unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ kind: 'eof', value: '', pos: posAt(src.length), offset: src.length });
  return tokens;
}

/** Go number syntax: sign, hex/octal/binary prefixes, underscores, fraction, exponent. */
function scanNumber(src: string, start: number): number {
  const m = /^[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9]+)?|0[bB][01_]+|0[oO][0-7_]+|([0-9][0-9_]*)?(\.[0-9_]*)?([eE][+-]?[0-9]+)?i?)/.exec(src.slice(start, start + 128));
  return start + (m ? m[0].length : 0);
}
