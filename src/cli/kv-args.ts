/**
 * `key=value` arguments, as the Vault CLI reads them: `key=@file` takes a file's contents,
 * `key=-` takes stdin, `key=\@x` is the literal `@x`, a repeated key becomes a list, and a
 * lone `-` or `@file.json` merges a JSON object from stdin or a file. Stdin is read once.
 */
import { readFileSync } from 'node:fs';
import { expectArgs, sanitizePath } from './command.js';
import type { CliIo } from './context.js';
import { CommandFailed } from './errors.js';
import { UsageError } from './flags.js';
import { readAllStdin } from './prompt.js';

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CommandFailed(`Failed to parse K=V data: error reading file: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function mergeJson(result: Record<string, unknown>, text: string, source: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CommandFailed(`Failed to parse K=V data: ${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CommandFailed(`Failed to parse K=V data: ${source} must hold a JSON object`);
  }
  Object.assign(result, parsed);
}

export async function parseKvArgs(io: CliIo, args: string[]): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  let stdinUsed = false;
  const stdin = async (): Promise<string> => {
    if (stdinUsed) throw new UsageError('Failed to parse K=V data: stdin already consumed');
    stdinUsed = true;
    return readAllStdin(io);
  };
  for (const arg of args) {
    if (arg === '') continue;
    const eq = arg.indexOf('=');
    if (eq === -1) {
      if (arg === '-') mergeJson(result, await stdin(), 'stdin');
      else if (arg.startsWith('@')) mergeJson(result, readFile(arg.slice(1)), arg.slice(1));
      else throw new UsageError(`Failed to parse K=V data: format must be key=value, got "${arg}"`);
      continue;
    }
    const key = arg.slice(0, eq);
    let value = arg.slice(eq + 1);
    if (value.startsWith('@')) value = readFile(value.slice(1));
    else if (value.startsWith('\\@')) value = value.slice(1);
    else if (value === '-') value = await stdin();
    const prev = result[key];
    result[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return result;
}

/** Query-style data for reads and deletes: every value a string or list of strings. */
export async function parseQueryArgs(io: CliIo, args: string[]): Promise<Record<string, string | string[]> | undefined> {
  if (args.length === 0) return undefined;
  const data = await parseKvArgs(io, args);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** `PATH [K=V...]`, as `read` and `delete` take it: the path, and the pairs as query parameters. */
export async function parsePathAndQuery(io: CliIo, args: string[]): Promise<{ path: string; query: Record<string, string | string[]> | undefined }> {
  expectArgs(args, 1, Infinity);
  const path = sanitizePath(args[0]!);
  return { path, query: await parseQueryArgs(io, args.slice(1)) };
}

/** `-options k=v` style flags into a map; usage error when a value lacks `=`. */
export function parseKvFlag(name: string, values: string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid value "${v}" for -${name}: expected key=value`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
