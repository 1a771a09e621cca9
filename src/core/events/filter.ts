/**
 * The `filter` of sys/events/subscribe: the part of Vault's go-bexpr language that its event
 * filters use. Selectors are the event fields Vault exposes to filters (`event_type`,
 * `operation`, `source_plugin_mount`, `data_path`, `namespace`); comparisons are `==` and
 * `!=` against a quoted or bare value; `and`, `or`, `not` and parentheses combine them.
 * Anything else (`matches`, `contains`, `in`, other selectors) is refused with a message
 * naming it, so a subscriber never silently gets a different stream than it asked for.
 */
import { invalidRequest } from '../../errors.js';
import type { PublishedEvent } from './event.js';

export type EventFilter = (event: PublishedEvent) => boolean;

const SELECTORS: Record<string, (e: PublishedEvent) => string> = {
  event_type: (e) => e.type,
  operation: (e) => e.metadata.operation ?? '',
  source_plugin_mount: (e) => e.plugin.mount_path,
  data_path: (e) => e.metadata.data_path ?? '',
  namespace: () => '',
};

const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;

type Token = { kind: 'word' | 'string' | 'op' | 'open' | 'close'; text: string };

function refuse(message: string): never {
  throw invalidRequest(`invalid filter: ${message}`);
}

function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'open' : 'close', text: c });
      i++;
    } else if (c === '=' || c === '!') {
      if (source[i + 1] !== '=') refuse(`unexpected "${c}" at offset ${i} (only == and != compare)`);
      out.push({ kind: 'op', text: c + '=' });
      i += 2;
    } else if (c === '"' || c === '`') {
      let text = '';
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        if (c === '"' && source[j] === '\\' && j + 1 < source.length) j++;
        text += source[j];
        j++;
      }
      if (j >= source.length) refuse(`unterminated string starting at offset ${i}`);
      out.push({ kind: 'string', text });
      i = j + 1;
    } else {
      const m = /^[A-Za-z0-9_.\/\-*:]+/.exec(source.slice(i));
      if (!m) refuse(`unexpected character "${c}" at offset ${i}`);
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): EventFilter {
    const f = this.or(0);
    if (this.at < this.tokens.length) refuse(`unexpected "${this.tokens[this.at]!.text}"`);
    return f;
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && t.kind === 'word' && t.text.toLowerCase() === word;
  }

  private or(depth: number): EventFilter {
    let left = this.and(depth);
    while (this.peekWord('or')) {
      this.at++;
      const a = left;
      const b = this.and(depth);
      left = (e) => a(e) || b(e);
    }
    return left;
  }

  private and(depth: number): EventFilter {
    let left = this.unary(depth);
    while (this.peekWord('and')) {
      this.at++;
      const a = left;
      const b = this.unary(depth);
      left = (e) => a(e) && b(e);
    }
    return left;
  }

  private unary(depth: number): EventFilter {
    if (depth > MAX_DEPTH) refuse('nested too deeply');
    if (this.peekWord('not')) {
      this.at++;
      const inner = this.unary(depth + 1);
      return (e) => !inner(e);
    }
    const t = this.tokens[this.at];
    if (t?.kind === 'open') {
      this.at++;
      const inner = this.or(depth + 1);
      if (this.tokens[this.at]?.kind !== 'close') refuse('missing ")"');
      this.at++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): EventFilter {
    const sel = this.tokens[this.at++];
    if (!sel || sel.kind !== 'word') refuse(sel ? `expected a selector, found "${sel.text}"` : 'expected a selector at the end');
    const get = Object.prototype.hasOwnProperty.call(SELECTORS, sel.text) ? SELECTORS[sel.text]! : undefined;
    if (!get) refuse(`unknown selector "${sel.text}" (supported: ${Object.keys(SELECTORS).join(', ')})`);
    const op = this.tokens[this.at++];
    if (!op || op.kind !== 'op') {
      refuse(op ? `unsupported operator "${op.text}" after ${sel.text} (supported: ==, !=)` : `expected == or != after ${sel.text}`);
    }
    const value = this.tokens[this.at++];
    if (!value || (value.kind !== 'string' && value.kind !== 'word')) refuse(`expected a value after ${sel.text} ${op.text}`);
    const want = value.text;
    return op.text === '==' ? (e) => get(e) === want : (e) => get(e) !== want;
  }
}

/** An empty filter lets every event through; a bad one is a 400 naming the problem. */
export function compileEventFilter(source: string | undefined): EventFilter | undefined {
  if (source === undefined || source.trim() === '') return undefined;
  if (source.length > MAX_FILTER_LENGTH) refuse(`longer than ${MAX_FILTER_LENGTH} characters`);
  return new Parser(tokenize(source)).parse();
}
