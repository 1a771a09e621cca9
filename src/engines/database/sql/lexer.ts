/**
 * Just enough of SQL's lexical structure to tell, at every character of a statement
 * template, whether it sits in code, a quoted identifier, a string literal, a dollar-quoted
 * body or a comment. Statement splitting (`;` only in code) and safe templating (a value is
 * escaped for the quoting it lands in) both stand on this one scanner, so they cannot
 * disagree about where a quote ends.
 */

export interface SqlDialect {
  /** Quote characters that delimit identifiers: `"` (PostgreSQL), `` ` `` (MySQL). */
  identQuotes: string;
  /** Quote characters that delimit string literals. */
  literalQuotes: string;
  /** A backslash escapes the next character inside every literal (MySQL's default mode). */
  backslashEscapes: boolean;
  /** PostgreSQL: `$tag$ ... $tag$` bodies, `E'...'` strings, nested block comments. */
  postgres: boolean;
  /** MySQL: `#` starts a comment, and `--` only when whitespace follows (`1--1` is arithmetic). */
  hashComments: boolean;
}

export type Token =
  | { kind: 'code' | 'comment' | 'semicolon'; text: string }
  | { kind: 'ident'; text: string; quote: string; inner: string }
  /** `backslash`: a backslash escapes inside this literal (E'' strings, MySQL). */
  | { kind: 'literal'; text: string; quote: string; inner: string; backslash: boolean }
  | { kind: 'dollar'; text: string; tag: string; inner: string };

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

export function tokenize(text: string, d: SqlDialect): Token[] {
  const tokens: Token[] = [];
  let code = '';
  const flush = () => {
    if (code) tokens.push({ kind: 'code', text: code });
    code = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    const prev = i > 0 ? text[i - 1]! : '';
    if (c === ';') {
      flush();
      tokens.push({ kind: 'semicolon', text: ';' });
      i++;
    } else if ((c === '-' && next === '-' && (!d.hashComments || /^[\s]?$/.test(text[i + 2] ?? ''))) || (c === '#' && d.hashComments)) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      flush();
      tokens.push({ kind: 'comment', text: text.slice(i, stop) });
      i = stop;
    } else if (c === '/' && next === '*') {
      const stop = blockCommentEnd(text, i, d.postgres);
      flush();
      tokens.push({ kind: 'comment', text: text.slice(i, stop) });
      i = stop;
    } else if (d.identQuotes.includes(c)) {
      const stop = quotedEnd(text, i, c, false);
      flush();
      tokens.push({ kind: 'ident', text: text.slice(i, stop), quote: c, inner: innerOf(text, i, stop, c) });
      i = stop;
    } else if (d.literalQuotes.includes(c)) {
      // E'...' (PostgreSQL) escapes with backslashes; the E itself stays in the code before it.
      const eString = d.postgres && (prev === 'E' || prev === 'e') && !IDENT_CHAR.test(i > 1 ? text[i - 2]! : '');
      const backslash = d.backslashEscapes || eString;
      const stop = quotedEnd(text, i, c, backslash);
      flush();
      tokens.push({ kind: 'literal', text: text.slice(i, stop), quote: c, inner: innerOf(text, i, stop, c), backslash });
      i = stop;
    } else if (c === '$' && d.postgres && !IDENT_CHAR.test(prev)) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(text);
      if (!m) {
        code += c;
        i++;
        continue;
      }
      const tag = m[0];
      const close = text.indexOf(tag, i + tag.length);
      const stop = close < 0 ? text.length : close + tag.length;
      flush();
      tokens.push({ kind: 'dollar', text: text.slice(i, stop), tag, inner: text.slice(i + tag.length, close < 0 ? text.length : close) });
      i = stop;
    } else {
      code += c;
      i++;
    }
  }
  flush();
  return tokens;
}

/** The position after a quoted run opened at `start`; a doubled quote (and, when `backslash`, `\x`) stays inside. */
function quotedEnd(text: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslash && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return text.length;
}

function innerOf(text: string, start: number, stop: number, quote: string): string {
  const closed = stop - start >= 2 && text[stop - 1] === quote;
  return text.slice(start + 1, closed ? stop - 1 : stop);
}

/** PostgreSQL block comments nest; MySQL's do not. */
function blockCommentEnd(text: string, start: number, nested: boolean): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth = nested ? depth + 1 : 1;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return text.length;
}
