/**
 * Recursive-descent parser for HCL version 1 bodies (Vault policies and server config).
 *
 *   body   := { item [","] }
 *   item   := key "=" value | key { label } "{" body "}"
 *   key    := identifier | string          label := identifier | string
 *   value  := string | heredoc | number | true | false | list | "{" body "}"
 *   list   := "[" [ value { "," value } [","] ] "]"
 *
 * Recursion is bounded by `maxDepth`, so hostile input cannot exhaust the stack.
 */
import { HclSyntaxError } from './errors.js';
import { Lexer, type Token } from './lexer.js';
import { hasOwn, recordKeyLine, recordLine, setOwn, type HclBody, type HclValue } from './tree.js';

export interface HclParseOptions {
  /** Largest accepted input, in UTF-8 bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Deepest nesting of blocks, objects, lists and labels. Default 64. */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

export function checkSize(text: string, maxBytes = DEFAULT_MAX_BYTES): void {
  // Cheap upper bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new HclSyntaxError(`input is larger than the limit of ${maxBytes} bytes`, 0, 0);
  }
}

/** Parses HCL syntax only (no JSON detection: see `parseHcl` in index.ts). */
export function parseHclSyntax(text: string, options: HclParseOptions = {}): HclBody {
  checkSize(text, options.maxBytes);
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  return new Parser(source, options.maxDepth ?? DEFAULT_MAX_DEPTH).parseDocument();
}

class Parser {
  private readonly lex: Lexer;
  /** Arrays created because a key repeated (as opposed to list values). */
  private readonly repeats = new WeakSet<HclValue[]>();

  constructor(
    text: string,
    private readonly maxDepth: number,
  ) {
    this.lex = new Lexer(text);
  }

  parseDocument(): HclBody {
    const body = this.parseBody(1, undefined);
    const t = this.lex.peek();
    if (t.type !== 'eof') throw this.unexpected(t, 'a key');
    return body;
  }

  /** Items up to `}` (when `open` is the `{` token) or to the end of input. */
  private parseBody(depth: number, open: Token | undefined): HclBody {
    const body: HclBody = {};
    for (;;) {
      let t = this.lex.peek();
      while (t.type === 'punct' && t.text === ',') {
        this.lex.next();
        t = this.lex.peek();
      }
      if (t.type === 'eof') {
        if (open) throw this.lex.error(open.start, "missing '}' to close this '{'");
        return body;
      }
      if (t.type === 'punct' && t.text === '}') {
        if (!open) throw this.lex.error(t.start, "unexpected '}' without a matching '{'");
        this.lex.next();
        return body;
      }
      this.parseItem(body, depth);
    }
  }

  private parseItem(body: HclBody, depth: number): void {
    const keyTok = this.lex.next();
    if (keyTok.type !== 'ident' && keyTok.type !== 'string') throw this.unexpected(keyTok, 'a key');
    const t = this.lex.peek();
    let value: HclValue;
    if (t.type === 'punct' && t.text === '=') {
      this.lex.next();
      value = this.parseValue(depth);
    } else {
      const labels: string[] = [];
      let open = this.lex.next();
      while (open.type === 'ident' || open.type === 'string') {
        labels.push(open.text);
        open = this.lex.next();
      }
      if (open.type !== 'punct' || open.text !== '{') {
        throw this.unexpected(open, labels.length ? "a label or '{'" : "'=' or '{'");
      }
      const inner = depth + 1 + labels.length;
      if (inner > this.maxDepth) throw this.tooDeep(open);
      value = this.parseBody(inner, open);
      recordLine(value, this.lex.lineAt(keyTok.start));
      for (let i = labels.length - 1; i >= 0; i--) {
        const wrap: HclBody = {};
        setOwn(wrap, labels[i]!, value);
        recordKeyLine(wrap, labels[i]!, this.lex.lineAt(keyTok.start));
        value = wrap;
      }
    }
    this.assign(body, keyTok, value);
  }

  private assign(body: HclBody, keyTok: Token, value: HclValue): void {
    const key = keyTok.text;
    if (!hasOwn(body, key)) {
      setOwn(body, key, value);
      recordKeyLine(body, key, this.lex.lineAt(keyTok.start));
      return;
    }
    const existing = body[key]!;
    if (Array.isArray(existing) && this.repeats.has(existing)) {
      existing.push(value);
    } else {
      const list: HclValue[] = [existing, value];
      this.repeats.add(list);
      setOwn(body, key, list);
    }
  }

  private parseValue(depth: number): HclValue {
    const t = this.lex.next();
    switch (t.type) {
      case 'string':
        return t.text;
      case 'number':
        return t.num;
      case 'ident':
        if (t.text === 'true') return true;
        if (t.text === 'false') return false;
        throw this.lex.error(t.start, `unexpected ${this.lex.describe(t)}: string values must be quoted`);
      case 'punct':
        if (t.text === '[') return this.parseList(depth + 1, t);
        if (t.text === '{') {
          if (depth + 1 > this.maxDepth) throw this.tooDeep(t);
          const obj = this.parseBody(depth + 1, t);
          recordLine(obj, this.lex.lineAt(t.start));
          return obj;
        }
        break;
    }
    throw this.unexpected(t, 'a value');
  }

  private parseList(depth: number, open: Token): HclValue[] {
    if (depth > this.maxDepth) throw this.tooDeep(open);
    const list: HclValue[] = [];
    for (;;) {
      const t = this.lex.peek();
      if (t.type === 'punct' && t.text === ']') {
        this.lex.next();
        return list;
      }
      if (t.type === 'eof') throw this.lex.error(open.start, "missing ']' to close this '['");
      list.push(this.parseValue(depth));
      const sep = this.lex.next();
      if (sep.type === 'punct' && sep.text === ']') return list;
      if (sep.type === 'eof') throw this.lex.error(open.start, "missing ']' to close this '['");
      if (sep.type !== 'punct' || sep.text !== ',') throw this.unexpected(sep, "',' or ']'");
    }
  }

  private unexpected(t: Token, expected: string): HclSyntaxError {
    return this.lex.error(t.start, `expected ${expected}, found ${this.lex.describe(t)}`);
  }

  private tooDeep(t: Token): HclSyntaxError {
    return this.lex.error(t.start, `nesting is deeper than the limit of ${this.maxDepth} levels`);
  }
}
