/**
 * Username templates in the subset of Go template syntax Vault's database plugins accept:
 * `{{.DisplayName}}`, `{{.RoleName}}`, functions (random, truncate, uppercase, lowercase,
 * replace, sha256, base64, unix_time, unix_time_millis, uuid, printf), pipes and
 * parenthesized calls, so Vault's default and custom templates render the same names.
 * Whatever a template renders is later quoted as an identifier, never spliced into SQL.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';

export interface UsernameInput {
  DisplayName: string;
  RoleName: string;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Value = string | number;
type Fn = (...args: Value[]) => Value;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const FUNCTIONS: Record<string, Fn> = {
  random: (n) => Array.from({ length: int(n) }, () => ALNUM[randomInt(ALNUM.length)]).join(''),
  truncate: (n, s) => [...str(s)].slice(0, int(n)).join(''),
  uppercase: (s) => str(s).toUpperCase(),
  lowercase: (s) => str(s).toLowerCase(),
  replace: (find, repl, s) => str(s).split(str(find)).join(str(repl)),
  sha256: (s) => createHash('sha256').update(str(s)).digest('hex'),
  base64: (s) => Buffer.from(str(s)).toString('base64'),
  unix_time: () => Math.floor(Date.now() / 1000),
  unix_time_millis: () => Date.now(),
  uuid: () => randomUUID(),
  printf: (format, ...args) => {
    let i = 0;
    return str(format).replace(/%[sdv%]/g, (spec) => (spec === '%%' ? '%' : String(args[i++] ?? '')));
  },
};

function int(v: Value | undefined): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new TemplateError(`expected a whole number, got ${JSON.stringify(v)}`);
  return n;
}

function str(v: Value | undefined): string {
  if (v === undefined) throw new TemplateError('missing argument');
  return String(v);
}

export function renderUsername(template: string, input: UsernameInput): string {
  let out = '';
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{{', at);
    if (open < 0) break;
    const close = template.indexOf('}}', open);
    if (close < 0) throw new TemplateError('unclosed action: "{{" without "}}"');
    out += template.slice(at, open);
    const action = template.slice(open + 2, close).replace(/^-\s/, '').replace(/\s-$/, '');
    const parser = new ActionParser(action, input);
    out += String(parser.parseAll());
    at = close + 2;
  }
  return out + template.slice(at);
}

/** Parses and evaluates one action: commands separated by `|`, each a function and its arguments. */
class ActionParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly input: UsernameInput,
  ) {}

  parseAll(): Value {
    const v = this.pipeline();
    this.skip();
    if (this.pos < this.text.length) throw new TemplateError(`unexpected "${this.text.slice(this.pos, this.pos + 10)}"`);
    return v;
  }

  private skip(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private pipeline(): Value {
    let value = this.command(undefined);
    this.skip();
    while (this.text[this.pos] === '|') {
      this.pos++;
      value = this.command(value);
      this.skip();
    }
    return value;
  }

  private command(piped: Value | undefined): Value {
    this.skip();
    const fnName = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (fnName === undefined) {
      if (piped !== undefined) throw new TemplateError('only a function can follow "|"');
      return this.operand();
    }
    const fn = FUNCTIONS[fnName];
    if (!fn) throw new TemplateError(`function "${fnName}" not defined`);
    this.pos += fnName.length;
    const args: Value[] = [];
    for (;;) {
      this.skip();
      const c = this.text[this.pos];
      if (c === undefined || c === '|' || c === ')') break;
      args.push(this.operand());
    }
    if (piped !== undefined) args.push(piped);
    return fn(...args);
  }

  private operand(): Value {
    this.skip();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith('(')) {
      this.pos++;
      const v = this.pipeline();
      this.skip();
      if (this.text[this.pos] !== ')') throw new TemplateError('missing ")"');
      this.pos++;
      return v;
    }
    const string = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (string) {
      this.pos += string[0].length;
      try {
        return JSON.parse(`"${string[1]}"`) as string;
      } catch {
        throw new TemplateError(`bad string ${string[0].slice(0, 20)}`);
      }
    }
    const number = /^\d+/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return Number(number[0]);
    }
    const field = /^\.([A-Za-z]+)/.exec(rest);
    if (field) {
      this.pos += field[0].length;
      if (field[1] !== 'DisplayName' && field[1] !== 'RoleName') throw new TemplateError(`unknown field ".${field[1]}": use .DisplayName or .RoleName`);
      return this.input[field[1]];
    }
    const niladic = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (niladic !== undefined) {
      // A function named as an argument is called with no arguments, as in Go templates.
      const fn = FUNCTIONS[niladic];
      if (!fn) throw new TemplateError(`function "${niladic}" not defined`);
      this.pos += niladic.length;
      return fn();
    }
    throw new TemplateError(`unexpected "${rest.slice(0, 10)}"`);
  }
}
