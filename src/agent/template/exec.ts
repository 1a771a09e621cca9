/**
 * Runs a parse tree against data with Go's semantics: truthiness, variable scopes that end
 * with their control structure, map ranges in key order, `<no value>` for a missing key
 * (or an error with missingkey=error), lazy `and`/`or`. Evaluation is async because
 * functions such as `secret` fetch from a server; arguments are evaluated left to right.
 */
import type { Arg, Command, Node, Pipe, Tree } from './ast.js';
import { TemplateError, type Position } from './errors.js';
import { formatValue, goType, isMap, type Value } from './format.js';

export interface TemplateFunction {
  call: (...args: Value[]) => Value | Promise<Value>;
  /** Fewest and most arguments; `max` undefined for variadic functions. */
  min: number;
  max?: number;
}

export type FunctionMap = Record<string, TemplateFunction>;

export interface ExecOptions {
  /** missingkey=error: a map lookup of an absent key fails instead of giving `<no value>`. */
  errorOnMissingKey?: boolean;
}

/** Go's notion of empty: false, 0, nil, and empty strings, arrays and maps. */
export function isTrue(v: Value): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

const NONE = Symbol('no final value');
type Final = Value | typeof NONE;
class Break {}
class Continue {}
const MAX_DEPTH = 1000;
/** Most iterations a `range` over an integer may ask for (a count from secret data must not exhaust memory). */
export const MAX_RANGE_COUNT = 1_000_000;
/** Largest rendered output, in UTF-16 code units; beyond it rendering fails instead of exhausting memory. */
export const MAX_OUTPUT_SIZE = 64 * 1024 * 1024;

interface Variable {
  name: string;
  value: Value;
}

export async function execute(tree: Tree, data: Value, funcs: FunctionMap, opts: ExecOptions = {}): Promise<string> {
  const out: string[] = [];
  let outSize = 0;
  let vars: Variable[] = [{ name: '$', value: data }];
  let depth = 0;

  const fail = (pos: Position, msg: string): never => {
    throw new TemplateError(pos, msg);
  };
  const lookupVar = (name: string, pos: Position): Value => {
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i]!.value;
    return fail(pos, `undefined variable: ${name}`);
  };
  const setVar = (name: string, value: Value, pos: Position) => {
    for (let i = vars.length - 1; i >= 0; i--) {
      if (vars[i]!.name === name) {
        vars[i]!.value = value;
        return;
      }
    }
    fail(pos, `undefined variable: ${name}`);
  };

  const emit = (text: string, pos: Position) => {
    outSize += text.length;
    if (outSize > MAX_OUTPUT_SIZE) fail(pos, `rendered output exceeds the maximum size (${MAX_OUTPUT_SIZE} bytes)`);
    out.push(text);
  };

  async function walk(dot: Value, nodes: Node[]): Promise<void> {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          emit(node.text, node.pos);
          break;
        case 'action': {
          const v = await evalPipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) emit(v === null || v === undefined ? '<no value>' : formatValue(v), node.pos);
          break;
        }
        case 'if':
        case 'with': {
          const mark = vars.length;
          const v = await evalPipeline(dot, node.pipe);
          if (isTrue(v)) await walk(node.kind === 'with' ? v : dot, node.list);
          else if (node.elseList) await walk(dot, node.elseList);
          vars.length = mark;
          break;
        }
        case 'range':
          await walkRange(dot, node);
          break;
        case 'template':
          await walkTemplate(dot, node.name, node.pipe, node.pos);
          break;
        case 'break':
          throw new Break();
        case 'continue':
          throw new Continue();
      }
    }
  }

  async function walkRange(dot: Value, node: Extract<Node, { kind: 'range' }>) {
    const outer = vars.length;
    const v = await evalPipeline(dot, node.pipe);
    const mark = vars.length;
    let items: Iterable<[Value, Value]>;
    let count: number;
    if (v === null || v === undefined) [items, count] = [[], 0];
    else if (Array.isArray(v)) [items, count] = [v.map((e, i): [Value, Value] => [i, e]), v.length];
    else if (isMap(v)) [items, count] = [Object.keys(v).sort().map((k): [Value, Value] => [k, v[k]]), Object.keys(v).length];
    else if (typeof v === 'number' && Number.isInteger(v)) {
      if (node.pipe.decl.length > 1) fail(node.pos, `can't use ${v} to iterate over more than one variable`);
      if (v > MAX_RANGE_COUNT) fail(node.pos, `range count exceeds the maximum of ${MAX_RANGE_COUNT} iterations`); // never the value: it may be a secret
      count = Math.max(0, v);
      items = countUp(count);
    } else return fail(node.pos, `range can't iterate over a value of type ${goType(v)}`); // never the value: it may be a secret
    for (const [key, elem] of items) {
      const decl = node.pipe.decl;
      if (decl.length === 1) {
        if (node.pipe.isAssign) setVar(decl[0]!, elem, node.pos);
        else vars[mark - 1]!.value = elem;
      } else if (decl.length === 2) {
        if (node.pipe.isAssign) {
          setVar(decl[0]!, key, node.pos);
          setVar(decl[1]!, elem, node.pos);
        } else {
          vars[mark - 2]!.value = key;
          vars[mark - 1]!.value = elem;
        }
      }
      try {
        await walk(elem, node.list);
      } catch (e) {
        if (e instanceof Break) break;
        if (!(e instanceof Continue)) throw e;
      } finally {
        vars.length = mark;
      }
    }
    if (count === 0 && node.elseList) await walk(dot, node.elseList);
    vars.length = outer;
  }

  async function walkTemplate(dot: Value, name: string, pipe: Pipe | undefined, pos: Position) {
    const body = tree.defines.get(name);
    if (!body) return fail(pos, `no such template "${name}"`);
    if (++depth > MAX_DEPTH) fail(pos, `exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = pipe ? await evalPipeline(dot, pipe) : undefined;
    const saved = vars;
    vars = [{ name: '$', value: newDot }];
    try {
      await walk(newDot, body);
    } finally {
      vars = saved;
      depth--;
    }
  }

  async function evalPipeline(dot: Value, pipe: Pipe): Promise<Value> {
    let value: Final = NONE;
    for (const cmd of pipe.cmds) value = await evalCommand(dot, cmd, value);
    const result = value === NONE ? undefined : value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) setVar(name, result, pipe.pos);
      else vars.push({ name, value: result });
    }
    return result;
  }

  async function evalCommand(dot: Value, cmd: Command, final: Final): Promise<Value> {
    const first = cmd.args[0]!;
    const notAFunction = () => {
      if (cmd.args.length > 1 || final !== NONE) fail(first.pos, `can't give argument to non-function ${describeArg(first)}`);
    };
    switch (first.kind) {
      case 'ident':
        return callFunction(dot, first.name, cmd.args.slice(1), final, first.pos);
      case 'field':
        notAFunction();
        return fields(dot, first.names, first.pos);
      case 'variable':
        notAFunction();
        return fields(lookupVar(first.name, first.pos), first.names, first.pos);
      case 'pipe': {
        notAFunction();
        return fields(await evalPipeline(dot, first.pipe), first.names, first.pos);
      }
      case 'nil':
        return fail(first.pos, 'nil is not a command');
      default:
        notAFunction();
        return evalArg(dot, first);
    }
  }

  async function evalArg(dot: Value, arg: Arg): Promise<Value> {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'number':
      case 'string':
        return arg.value;
      case 'field':
        return fields(dot, arg.names, arg.pos);
      case 'variable':
        return fields(lookupVar(arg.name, arg.pos), arg.names, arg.pos);
      case 'pipe':
        return fields(await evalPipeline(dot, arg.pipe), arg.names, arg.pos);
      case 'ident':
        return callFunction(dot, arg.name, [], NONE, arg.pos);
    }
  }

  function fields(receiver: Value, names: string[], pos: Position): Value {
    let v = receiver;
    for (const name of names) {
      if (isMap(v)) {
        if (Object.hasOwn(v, name)) v = v[name];
        else if (opts.errorOnMissingKey) fail(pos, `map has no entry for key "${name}"`);
        else v = undefined;
      } else if (v === null || v === undefined) fail(pos, `nil pointer evaluating interface {}.${name}`);
      else fail(pos, `can't evaluate field ${name} in type ${goType(v)}`);
    }
    return v;
  }

  async function callFunction(dot: Value, name: string, args: Arg[], final: Final, pos: Position): Promise<Value> {
    const fn = funcs[name];
    if (!fn) return fail(pos, `function "${name}" not defined`);
    const count = args.length + (final === NONE ? 0 : 1);
    if (count < fn.min || (fn.max !== undefined && count > fn.max)) {
      const want = fn.max === undefined ? `at least ${fn.min}` : fn.min === fn.max ? `${fn.min}` : `${fn.min} to ${fn.max}`;
      fail(pos, `wrong number of args for ${name}: want ${want} got ${count}`);
    }
    if (name === 'and' || name === 'or') {
      // Go stops at the first argument that decides the answer.
      const all = [...args.map((a) => () => evalArg(dot, a)), ...(final === NONE ? [] : [async () => final as Value])];
      let v: Value;
      for (const get of all) {
        v = await get();
        if (name === 'and' ? !isTrue(v) : isTrue(v)) return v;
      }
      return v;
    }
    const values: Value[] = [];
    for (const a of args) values.push(await evalArg(dot, a));
    if (final !== NONE) values.push(final);
    try {
      return await fn.call(...values);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      throw new TemplateError(pos, `error calling ${name}: ${(e as Error).message}`, e);
    }
  }

  await walk(data, tree.root);
  return out.join('');
}

/** 0..n-1 as range pairs, one at a time: never the whole list in memory. */
function* countUp(n: number): Generator<[Value, Value]> {
  for (let i = 0; i < n; i++) yield [i, i];
}

function describeArg(a: Arg): string {
  switch (a.kind) {
    case 'field':
      return '.' + a.names.join('.');
    case 'variable':
      return [a.name, ...a.names].join('.');
    case 'string':
      return JSON.stringify(a.value);
    case 'number':
      return a.text;
    case 'bool':
      return String(a.value);
    case 'dot':
      return '.';
    default:
      return a.kind;
  }
}
