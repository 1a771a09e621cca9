/**
 * Tokens to a parse tree, with the checks Go makes before running anything: unknown
 * functions, undeclared variables, unbalanced `{{end}}`, misplaced `{{else}}`. A template
 * that parses runs without syntax surprises.
 */
import type { Arg, Command, Node, Pipe, Tree } from './ast.js';
import { TemplateError, type Position } from './errors.js';
import { lex, type LexOptions, type Token } from './lexer.js';
import { unquoteChar, unquoteString } from './quote.js';

export interface ParseOptions extends LexOptions {
  /** Names of the functions templates may call. */
  functions: ReadonlySet<string>;
}

type Terminator = 'end' | 'else' | 'eof';

export function parse(src: string, opts: ParseOptions): Tree {
  const tokens = lex(src, opts);
  let p = 0;
  const defines = new Map<string, Node[]>();
  let vars: string[] = ['$'];
  let rangeDepth = 0;

  const peek = (k = 0) => tokens[p + k]!;
  const next = () => tokens[p++]!;
  const fail = (pos: Position, msg: string): never => {
    throw new TemplateError(pos, msg);
  };
  const expect = (kind: Token['kind'], context: string): Token => {
    const t = next();
    if (t.kind !== kind) fail(t.pos, `unexpected ${describe(t)} in ${context}`);
    return t;
  };

  /** Nodes up to `{{end}}`, `{{else}}` or the end of input; says which one stopped it. */
  function parseList(): { nodes: Node[]; stop: Terminator; stopTok: Token } {
    const nodes: Node[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') return { nodes, stop: 'eof', stopTok: t };
      if (t.kind === 'text') {
        next();
        nodes.push({ kind: 'text', text: t.value, pos: t.pos });
        continue;
      }
      const open = expect('leftDelim', 'template');
      const kw = peek();
      if (kw.kind === 'keyword') {
        if (kw.value === 'end' || kw.value === 'else') return { nodes, stop: kw.value, stopTok: open };
        next();
        const node = parseKeyword(kw);
        if (node) nodes.push(node);
        continue;
      }
      const pipe = parsePipeline('command');
      nodes.push({ kind: 'action', pipe, pos: open.pos });
    }
  }

  function parseKeyword(kw: Token): Node | undefined {
    switch (kw.value) {
      case 'if':
      case 'with':
        return parseControl(kw.value, kw.pos);
      case 'range':
        return parseControl('range', kw.pos);
      case 'template': {
        const name = nameString(next(), 'template clause');
        let pipe: Pipe | undefined;
        if (peek().kind !== 'rightDelim') pipe = parsePipeline('template clause');
        else next();
        return { kind: 'template', name, pipe, pos: kw.pos };
      }
      case 'block': {
        const name = nameString(next(), 'block clause');
        const pipe = parsePipeline('block clause');
        const saved = vars;
        vars = ['$'];
        const body = parseList();
        vars = saved;
        if (body.stop !== 'end') fail(body.stopTok.pos, body.stop === 'else' ? 'unexpected {{else}}' : 'unexpected EOF');
        endAction();
        defines.set(name, body.nodes);
        return { kind: 'template', name, pipe, pos: kw.pos };
      }
      case 'define': {
        const name = nameString(next(), 'define clause');
        expect('rightDelim', 'define clause');
        const saved = vars;
        vars = ['$'];
        const body = parseList();
        vars = saved;
        if (body.stop !== 'end') fail(body.stopTok.pos, body.stop === 'else' ? 'unexpected {{else}}' : 'unexpected EOF');
        endAction();
        defines.set(name, body.nodes);
        return undefined;
      }
      case 'break':
      case 'continue':
        if (rangeDepth === 0) fail(kw.pos, `{{${kw.value}}} outside {{range}}`);
        expect('rightDelim', kw.value);
        return { kind: kw.value, pos: kw.pos };
      default:
        return fail(kw.pos, `unexpected keyword ${kw.value}`);
    }
  }

  /** After `{{end`: the closing delimiter. */
  function endAction() {
    const kw = next();
    if (kw.kind !== 'keyword' || kw.value !== 'end') fail(kw.pos, `unexpected ${describe(kw)}`);
    expect('rightDelim', 'end');
  }

  /** if / with / range: pipeline, body, optional else (or `else if`/`else with`), end. */
  function parseControl(kind: 'if' | 'with' | 'range', pos: Position): Node {
    const mark = vars.length;
    const pipe = parsePipeline(kind, kind === 'range');
    if (kind === 'range') rangeDepth++;
    const body = parseList();
    if (kind === 'range') rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.stop === 'eof') fail(body.stopTok.pos, 'unexpected EOF');
    if (body.stop === 'else') {
      next(); // else
      const after = peek();
      if ((kind === 'if' || kind === 'with') && after.kind === 'keyword' && after.value === kind) {
        // `{{else if …}}` is an if inside the else branch that shares this {{end}}.
        next();
        elseList = [parseControl(kind, after.pos)];
      } else {
        expect('rightDelim', 'else');
        const rest = parseList();
        if (rest.stop === 'else') fail(rest.stopTok.pos, 'expected end; found {{else}}');
        if (rest.stop === 'eof') fail(rest.stopTok.pos, 'unexpected EOF');
        elseList = rest.nodes;
        endAction();
      }
    } else {
      endAction();
    }
    vars.length = mark;
    return { kind, pipe, list: body.nodes, elseList, pos } as Node;
  }

  function nameString(t: Token, context: string): string {
    if (t.kind === 'string') return unquoteString(t.value, t.pos);
    if (t.kind === 'rawString') return t.value.slice(1, -1);
    return fail(t.pos, `unexpected ${describe(t)} in ${context}`);
  }

  /** A pipeline up to `}}` (or `)` when nested), with its declaration if any. */
  function parsePipeline(context: string, isRange = false, nested = false): Pipe {
    const start = peek();
    const decl: string[] = [];
    let isAssign = false;
    if (peek().kind === 'variable') {
      const v1 = peek();
      const after = peek(1);
      if (after.kind === 'declare' || after.kind === 'assign') {
        p += 2;
        decl.push(v1.value);
        isAssign = after.kind === 'assign';
      } else if (after.kind === 'comma' && isRange && peek(2).kind === 'variable' && (peek(3).kind === 'declare' || peek(3).kind === 'assign')) {
        decl.push(v1.value, peek(2).value);
        isAssign = peek(3).kind === 'assign';
        p += 4;
      } else if (after.kind === 'comma') {
        fail(after.pos, `too many declarations in ${context}`);
      }
      if (isAssign) for (const d of decl) if (!vars.includes(d)) fail(v1.pos, `undefined variable "${d}"`);
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === (nested ? 'rightParen' : 'rightDelim')) {
        next();
        break;
      }
      if (t.kind === 'eof' || t.kind === 'rightDelim' || t.kind === 'rightParen') fail(t.pos, `unexpected ${describe(t)} in ${context}`);
      cmds.push(parseCommand(context, nested));
      if (peek().kind === 'pipe') {
        next();
        if (peek().kind === 'rightDelim' || peek().kind === 'rightParen') fail(peek().pos, `missing command after | in ${context}`);
      }
    }
    if (cmds.length === 0) fail(start.pos, `missing value for ${context}`);
    if (!isAssign) vars.push(...decl);
    return { decl, isAssign, cmds, pos: start.pos };
  }

  function parseCommand(context: string, nested: boolean): Command {
    const args: Arg[] = [];
    const pos = peek().pos;
    for (;;) {
      const t = peek();
      if (t.kind === 'pipe' || t.kind === (nested ? 'rightParen' : 'rightDelim')) break;
      if (t.kind === 'eof' || t.kind === 'rightDelim' || t.kind === 'rightParen') fail(t.pos, `unexpected ${describe(t)} in operand`);
      args.push(parseOperand());
    }
    if (args.length === 0) fail(pos, `empty command in ${context}`);
    return { args, pos };
  }

  /** Field names written right after the previous token, without a space: `$x.a.b`, `(…).a`. */
  function chain(prevEnd: number): string[] {
    const names: string[] = [];
    let end = prevEnd;
    while (peek().kind === 'field' && peek().offset === end) {
      const f = next();
      names.push(f.value.slice(1));
      end = f.offset + f.value.length;
    }
    return names;
  }

  function parseOperand(): Arg {
    const t = next();
    const end = t.offset + t.value.length;
    switch (t.kind) {
      case 'field': {
        const names = [t.value.slice(1), ...chain(end)];
        return { kind: 'field', names, pos: t.pos };
      }
      case 'variable':
        if (!vars.includes(t.value)) fail(t.pos, `undefined variable "${t.value}"`);
        return { kind: 'variable', name: t.value, names: chain(end), pos: t.pos };
      case 'ident':
        if (!opts.functions.has(t.value)) fail(t.pos, `function "${t.value}" not defined`);
        return { kind: 'ident', name: t.value, pos: t.pos };
      case 'dot':
        if (peek().kind === 'field' && peek().offset === end) fail(peek().pos, 'unexpected . after term "."');
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'bool':
        return { kind: 'bool', value: t.value === 'true', pos: t.pos };
      case 'number':
        return parseNumber(t);
      case 'char':
        return { kind: 'number', value: unquoteChar(t.value, t.pos), isInt: true, text: t.value, pos: t.pos };
      case 'string':
        return { kind: 'string', value: unquoteString(t.value, t.pos), pos: t.pos };
      case 'rawString':
        return { kind: 'string', value: t.value.slice(1, -1).replace(/\r/g, ''), pos: t.pos };
      case 'leftParen': {
        const pipe = parsePipeline('parenthesized pipeline', false, true);
        const close = tokens[p - 1]!;
        return { kind: 'pipe', pipe, names: chain(close.offset + 1), pos: t.pos };
      }
      default:
        return fail(t.pos, `unexpected ${describe(t)} in operand`);
    }
  }

  function parseNumber(t: Token): Arg {
    const text = t.value.replace(/_/g, '');
    if (text.endsWith('i')) return fail(t.pos, `complex numbers are not supported: ${t.value}`);
    const neg = text.startsWith('-');
    const body = text.replace(/^[+-]/, '');
    let value: number;
    let isInt = false;
    if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[bB][01]+$/.test(body) || /^0[oO][0-7]+$/.test(body)) {
      value = Number(body);
      isInt = true;
    } else if (/^0[0-7]+$/.test(body)) {
      value = parseInt(body, 8); // Go reads a leading 0 as octal
      isInt = true;
    } else if (/^[0-9]+$/.test(body)) {
      value = Number(body);
      isInt = true;
    } else {
      value = Number(body);
    }
    if (!Number.isFinite(value)) fail(t.pos, `illegal number syntax: "${t.value}"`);
    return { kind: 'number', value: neg ? -value : value, isInt, text: t.value, pos: t.pos };
  }

  const body = parseList();
  if (body.stop !== 'eof') fail(body.stopTok.pos, `unexpected {{${body.stop}}}`);
  return { name: opts.name, root: body.nodes, defines };
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'EOF';
    case 'rightDelim':
      return `"${t.value}"`;
    case 'leftDelim':
      return `"${t.value}"`;
    default:
      return `${JSON.stringify(t.value)}`;
  }
}
