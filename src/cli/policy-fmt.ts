/**
 * `policy fmt`'s formatter: HCL policy text re-emitted canonically, locally, keeping
 * comments. Two-space indentation, `key = value` with the `=` of neighbouring attributes
 * aligned, lists as `["a", "b"]` (one item per line, with trailing commas, when they were
 * written over several lines), one blank line at most between items and always one between
 * top-level blocks. Syntax errors (unbalanced braces, unterminated strings) name the line.
 */

export class PolicyFormatError extends Error {}

type Tok =
  | { t: 'nl'; line: number }
  | { t: 'comment'; text: string; line: number }
  | { t: 'str'; text: string; line: number }
  | { t: 'heredoc'; text: string; line: number }
  | { t: 'word'; text: string; line: number }
  | { t: 'punct'; text: '{' | '}' | '[' | ']' | '=' | ','; line: number };

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  const err = (msg: string) => new PolicyFormatError(`line ${line}: ${msg}`);
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      toks.push({ t: 'nl', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      toks.push({ t: 'comment', text: src.slice(i, stop).replace(/\s+$/, ''), line });
      i = stop;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) throw err('unterminated /* comment');
      const text = src.slice(i, end + 2);
      toks.push({ t: 'comment', text, line });
      line += text.split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') throw err('unterminated string');
        j++;
      }
      if (j >= src.length) throw err('unterminated string');
      toks.push({ t: 'str', text: src.slice(i, j + 1), line });
      i = j + 1;
    } else if (c === '<' && src[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(src.slice(i));
      if (!m) throw err('invalid heredoc: expected <<MARKER and a line break');
      const startLine = line;
      let j = i + m[0].length;
      line++;
      for (;;) {
        if (j >= src.length) throw new PolicyFormatError(`line ${startLine}: heredoc ${m[2]} is never closed`);
        const end = src.indexOf('\n', j);
        const stop = end === -1 ? src.length : end;
        const text = src.slice(j, stop).replace(/\r$/, '');
        j = stop;
        if ((m[1] === '-' ? text.trim() : text) === m[2]) break;
        if (end === -1) throw new PolicyFormatError(`line ${startLine}: heredoc ${m[2]} is never closed`);
        j++;
        line++;
      }
      toks.push({ t: 'heredoc', text: src.slice(i, j).replace(/\r/g, ''), line: startLine });
      i = j;
    } else if ('{}[]=,'.includes(c)) {
      toks.push({ t: 'punct', text: c as '{', line });
      i++;
    } else {
      const m = /^[A-Za-z0-9_.\-+:*/]+/.exec(src.slice(i));
      if (!m) throw err(`unexpected character ${JSON.stringify(c)}`);
      toks.push({ t: 'word', text: m[0], line });
      i += m[0].length;
    }
  }
  return toks;
}

type Value =
  | { kind: 'lit'; text: string }
  | { kind: 'list'; items: ListEntry[]; multiline: boolean }
  | { kind: 'object'; body: Item[] };
type ListEntry = { kind: 'value'; value: Value; trailing?: string } | { kind: 'comment'; text: string };
type Item =
  | { kind: 'attr'; key: string; value: Value; trailing?: string }
  | { kind: 'block'; keys: string[]; body: Item[]; trailing?: string }
  | { kind: 'comment'; text: string }
  | { kind: 'blank' };

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private lastLine(): number {
    return this.toks[Math.min(this.i, this.toks.length - 1)]?.line ?? 1;
  }
  private fail(msg: string, tok = this.peek()): never {
    throw new PolicyFormatError(`line ${tok?.line ?? this.lastLine()}: ${msg}`);
  }
  private describe(tok: Tok | undefined): string {
    if (!tok) return 'end of file';
    if (tok.t === 'nl') return 'a line break';
    return `"${tok.t === 'comment' ? '#' : tok.text.slice(0, 20)}"`;
  }

  body(closing: boolean): Item[] {
    const items: Item[] = [];
    let newlines = 0;
    let sameLine = false;
    for (;;) {
      const tok = this.peek();
      if (!tok) {
        if (closing) this.fail('expected "}" before the end of the file');
        return items;
      }
      if (tok.t === 'nl') {
        this.i++;
        newlines++;
        if (newlines === 2) items.push({ kind: 'blank' });
        sameLine = false;
        continue;
      }
      if (tok.t === 'punct' && tok.text === '}') {
        if (!closing) this.fail('unexpected "}"');
        this.i++;
        return items;
      }
      if (tok.t === 'punct' && tok.text === ',') {
        this.i++;
        continue;
      }
      newlines = 0;
      if (tok.t === 'comment') {
        this.i++;
        const prev = items[items.length - 1];
        if (sameLine && prev && (prev.kind === 'attr' || prev.kind === 'block') && !prev.trailing) prev.trailing = tok.text;
        else items.push({ kind: 'comment', text: tok.text });
        continue;
      }
      items.push(this.item());
      sameLine = true;
    }
  }

  private item(): Item {
    const keys: string[] = [];
    while (this.peek()?.t === 'word' || this.peek()?.t === 'str') keys.push((this.toks[this.i++] as { text: string }).text);
    const tok = this.peek();
    if (keys.length === 0) this.fail(`expected a key, found ${this.describe(tok)}`);
    if (tok?.t === 'punct' && tok.text === '=') {
      if (keys.length > 1) this.fail(`expected "=" or "{" after ${keys[0]}`);
      this.i++;
      return { kind: 'attr', key: keys[0]!, value: this.value() };
    }
    if (tok?.t === 'punct' && tok.text === '{') {
      this.i++;
      return { kind: 'block', keys, body: this.body(true) };
    }
    return this.fail(`expected "=" or "{" after ${keys.join(' ')}, found ${this.describe(tok)}`);
  }

  private value(): Value {
    const tok = this.peek();
    if (!tok) return this.fail('expected a value before the end of the file');
    if (tok.t === 'str' || tok.t === 'word' || tok.t === 'heredoc') {
      this.i++;
      return { kind: 'lit', text: tok.text };
    }
    if (tok.t === 'punct' && tok.text === '[') {
      this.i++;
      return this.list();
    }
    if (tok.t === 'punct' && tok.text === '{') {
      this.i++;
      return { kind: 'object', body: this.body(true) };
    }
    return this.fail(`expected a value, found ${this.describe(tok)}`);
  }

  private list(): Value {
    const items: ListEntry[] = [];
    let multiline = false;
    let expectComma = false;
    for (;;) {
      const tok = this.peek();
      if (!tok) this.fail('expected "]" before the end of the file');
      if (tok.t === 'nl') {
        multiline = true;
        this.i++;
        continue;
      }
      if (tok.t === 'comment') {
        this.i++;
        multiline = true;
        const prev = items[items.length - 1];
        const prevTok = this.toks[this.i - 2];
        if (prev && prev.kind === 'value' && !prev.trailing && prevTok && prevTok.t !== 'nl') prev.trailing = tok.text;
        else items.push({ kind: 'comment', text: tok.text });
        continue;
      }
      if (tok.t === 'punct' && tok.text === ']') {
        this.i++;
        return { kind: 'list', items, multiline };
      }
      if (tok.t === 'punct' && tok.text === ',') {
        if (!expectComma) this.fail('unexpected "," in list');
        expectComma = false;
        this.i++;
        continue;
      }
      if (expectComma) this.fail(`expected "," or "]" in list, found ${this.describe(tok)}`);
      items.push({ kind: 'value', value: this.value() });
      expectComma = true;
    }
  }
}

const isMultiline = (v: Value): boolean =>
  v.kind === 'object' ? v.body.length > 0 : v.kind === 'list' ? v.multiline && v.items.length > 0 : v.text.includes('\n');

function printValue(v: Value, indent: string): string {
  if (v.kind === 'lit') return v.text;
  if (v.kind === 'object') {
    if (v.body.length === 0) return '{}';
    return `{\n${printBody(v.body, indent + '  ', false).join('\n')}\n${indent}}`;
  }
  const values = v.items.filter((e): e is Extract<ListEntry, { kind: 'value' }> => e.kind === 'value');
  if (!isMultiline(v)) return `[${values.map((e) => printValue(e.value, indent)).join(', ')}]`;
  const inner = indent + '  ';
  const lines = v.items.map((e) =>
    e.kind === 'comment' ? inner + e.text : `${inner}${printValue(e.value, inner)},${e.trailing ? ` ${e.trailing}` : ''}`,
  );
  return `[\n${lines.join('\n')}\n${indent}]`;
}

function printBody(items: Item[], indent: string, topLevel: boolean): string[] {
  // Drop blank lines at the edges and before a closing brace; blocks get their own spacing below.
  const kept = items.filter((it, i) => !(it.kind === 'blank' && (i === 0 || i === items.length - 1 || items[i - 1]?.kind === 'blank')));
  const out: string[] = [];
  let i = 0;
  while (i < kept.length) {
    const it = kept[i]!;
    if (it.kind === 'attr' && !isMultiline(it.value)) {
      // A run of single-line attributes: align their "=".
      let j = i;
      while (j < kept.length && kept[j]!.kind === 'attr' && !isMultiline((kept[j] as { value: Value }).value)) j++;
      const run = kept.slice(i, j) as Extract<Item, { kind: 'attr' }>[];
      const width = Math.max(...run.map((a) => a.key.length));
      for (const a of run) out.push(`${indent}${a.key.padEnd(width)} = ${printValue(a.value, indent)}${a.trailing ? ` ${a.trailing}` : ''}`);
      i = j;
      continue;
    }
    if (it.kind === 'attr') {
      out.push(`${indent}${it.key} = ${printValue(it.value, indent)}${it.trailing ? ` ${it.trailing}` : ''}`);
    } else if (it.kind === 'block') {
      const trailing = it.trailing ? ` ${it.trailing}` : '';
      if (it.body.length === 0) out.push(`${indent}${it.keys.join(' ')} {}${trailing}`);
      else out.push(`${indent}${it.keys.join(' ')} {${trailing}`, ...printBody(it.body, indent + '  ', false), `${indent}}`);
      // Top-level blocks are always followed by a blank line (unless one is already there).
      if (topLevel && i + 1 < kept.length && kept[i + 1]!.kind !== 'blank') out.push('');
    } else if (it.kind === 'comment') {
      out.push(...it.text.split('\n').map((l, n) => (n === 0 ? indent + l : l)));
    } else {
      out.push('');
    }
    i++;
  }
  return out;
}

export function formatPolicy(src: string): string {
  const items = new Parser(lex(src)).body(false);
  const lines = printBody(items, '', true);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
