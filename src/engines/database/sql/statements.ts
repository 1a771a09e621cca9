/**
 * Statement templates as Vault writes them (`{{name}}`, `{{username}}`, `{{password}}`,
 * `{{expiration}}`), several per string separated by `;`.
 *
 * Vault substitutes values as raw text, so a quote in a generated name or password would
 * change the SQL. Here every value is escaped for the quoting it lands in: inside "..." it
 * is an identifier, inside '...' a literal (both, in order, for "..." inside a literal, as in
 * EXECUTE strings), written bare it becomes a fully quoted identifier or literal, and in a
 * comment it is dropped. A dollar-quoted body is templated as SQL of its own and gets a
 * fresh tag if a value would otherwise close it. No value can end the quoting around it.
 */
import { randomBytes } from 'node:crypto';
import { tokenize, type SqlDialect, type Token } from './lexer.js';

export interface TemplateValues {
  name?: string;
  username?: string;
  password?: string;
  expiration?: string;
}

/** How a dialect writes a value: quoted whole, or escaped to sit inside quotes already there. */
export interface SqlQuoting {
  dialect: SqlDialect;
  quoteIdent(value: string): string;
  quoteLiteral(value: string): string;
}

const PLACEHOLDER = /\{\{\s*(name|username|password|expiration)\s*\}\}/g;

/** Splits on `;` outside quotes, comments and dollar-quoted bodies; blank statements dropped. */
export function splitStatements(text: string, dialect: SqlDialect): string[] {
  const out: string[] = [];
  let current = '';
  for (const token of tokenize(text, dialect)) {
    if (token.kind === 'semicolon') {
      out.push(current);
      current = '';
    } else {
      current += token.text;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '' && !isOnlyComments(s, dialect));
}

function isOnlyComments(statement: string, dialect: SqlDialect): boolean {
  return tokenize(statement, dialect).every((t) => t.kind === 'comment' || (t.kind === 'code' && t.text.trim() === ''));
}

/** Every statement of every string in `templates`, split and rendered. */
export function renderStatements(templates: string[], values: TemplateValues, q: SqlQuoting): string[] {
  return templates.flatMap((t) => splitStatements(t, q.dialect)).map((s) => renderStatement(s, values, q));
}

export function renderStatement(statement: string, values: TemplateValues, q: SqlQuoting): string {
  for (const v of Object.values(values)) {
    if (typeof v === 'string' && v.includes('\0')) throw new Error('a templated value contains a NUL character');
  }
  return tokenize(statement, q.dialect).map((t) => renderToken(t, values, q)).join('');
}

function lookup(values: TemplateValues, key: string): string | undefined {
  return values[key as keyof TemplateValues];
}

function renderToken(token: Token, values: TemplateValues, q: SqlQuoting): string {
  switch (token.kind) {
    case 'semicolon':
      return token.text;
    case 'comment':
      // A value could end a comment (a newline, `*/`): templating in comments is dropped.
      return token.text.replace(PLACEHOLDER, '');
    case 'code':
      return token.text.replace(PLACEHOLDER, (whole, key: string) => {
        const v = lookup(values, key);
        if (v === undefined) return whole;
        return key === 'name' || key === 'username' ? q.quoteIdent(v) : q.quoteLiteral(v);
      });
    case 'ident': {
      const inner = token.inner.replace(PLACEHOLDER, (whole, key: string) => {
        const v = lookup(values, key);
        return v === undefined ? whole : doubled(v, token.quote);
      });
      return token.quote + inner + token.quote;
    }
    case 'literal':
      return token.quote + renderLiteralInner(token, values) + token.quote;
    case 'dollar': {
      const body = tokenize(token.inner, q.dialect).map((t) => renderToken(t, values, q)).join('');
      const tag = tagFor(body, token.tag);
      return tag + body + tag;
    }
  }
}

/** A literal's content: each value escaped as literal text, and first as an identifier when it sits in "..." inside the literal. */
function renderLiteralInner(token: Extract<Token, { kind: 'literal' }>, values: TemplateValues): string {
  let out = '';
  let last = 0;
  for (const m of token.inner.matchAll(PLACEHOLDER)) {
    const v = lookup(values, m[1]!);
    if (v === undefined) continue;
    const before = token.inner.slice(0, m.index);
    const inIdent = token.quote !== '"' && (before.match(/"/g)?.length ?? 0) % 2 === 1;
    const value = inIdent ? doubled(v, '"') : v;
    out += token.inner.slice(last, m.index) + escapeLiteral(value, token.quote, token.backslash);
    last = m.index! + m[0].length;
  }
  return out + token.inner.slice(last);
}

export function doubled(value: string, quote: string): string {
  return value.split(quote).join(quote + quote);
}

export function escapeLiteral(value: string, quote: string, backslash: boolean): string {
  const v = backslash ? value.replace(/\\/g, '\\\\') : value;
  return doubled(v, quote);
}

/** The original tag when the body does not contain it; otherwise a random one that it cannot contain. */
function tagFor(body: string, tag: string): string {
  if (!body.includes(tag)) return tag;
  let fresh: string;
  do fresh = `$coffer_${randomBytes(6).toString('hex')}$`;
  while (body.includes(fresh));
  return fresh;
}
