/**
 * The template language of Vault Agent and consul-template (Go's text/template plus
 * consul-template's helpers), written for Coffer's agent. Parse once, render many times.
 */
import { goBuiltins } from './builtins.js';
import { execute, type FunctionMap } from './exec.js';
import type { Value } from './format.js';
import { consulHelpers } from './helpers.js';
import { parse } from './parser.js';

export { TemplateError } from './errors.js';
export type { FunctionMap, TemplateFunction } from './exec.js';
export { fixed, variadic } from './builtins.js';

/** Go's builtins and consul-template's helpers: what every template may call. */
const standardFunctions: FunctionMap = { ...goBuiltins, ...consulHelpers };

export interface CompileOptions {
  /** The name errors carry: the template's file name, or a label for inline contents. */
  name: string;
  leftDelimiter?: string;
  rightDelimiter?: string;
  /** Names of functions the renderer will supply (e.g. `secret`), beyond the standard ones. */
  extraFunctions?: Iterable<string>;
}

export interface RenderOptions {
  errorOnMissingKey?: boolean;
  /** Implementations of the extra functions named at compile time. */
  functions?: FunctionMap;
}

export interface CompiledTemplate {
  name: string;
  render(data?: Value, opts?: RenderOptions): Promise<string>;
}

/** Parses `src`; a syntax error throws a TemplateError naming name:line:col. */
export function compileTemplate(src: string, opts: CompileOptions): CompiledTemplate {
  const functions = new Set([...Object.keys(standardFunctions), ...(opts.extraFunctions ?? [])]);
  const tree = parse(src, { name: opts.name, leftDelim: opts.leftDelimiter, rightDelim: opts.rightDelimiter, functions });
  return {
    name: opts.name,
    render: (data, r = {}) => execute(tree, data ?? null, { ...standardFunctions, ...r.functions }, { errorOnMissingKey: r.errorOnMissingKey }),
  };
}

/** Parse and render in one step, for callers with a single use. */
export async function renderTemplate(src: string, data: Value, opts: CompileOptions & RenderOptions): Promise<string> {
  return compileTemplate(src, opts).render(data, opts);
}
