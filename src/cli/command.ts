/**
 * How a command is declared and run: its usage text, its flags (the shared HTTP and output
 * flags added for it), and a `run` that returns the exit code. The runner turns usage
 * mistakes into exit 2 with the usage text, failures into exit 1 with the message, and
 * prints `-help` on request.
 */
import { createApiClient } from '../api/client.js';
import { createLogical, type Logical } from '../api/logical.js';
import { ConfigError, envValue, resolveClientOptions, type GlobalFlags } from './config.js';
import type { CliIo, Context, Format } from './context.js';
import { CommandFailed, describeError } from './errors.js';
import { parseFlags, UsageError, type FlagDef, type FlagSpec, type ParsedFlags } from './flags.js';
import { wrapAtLength } from './output/format.js';
import { PromptCancelled } from './prompt.js';

export class Flags {
  constructor(readonly values: ParsedFlags['flags']) {}
  has(name: string): boolean {
    return this.values[name] !== undefined;
  }
  str(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }
  bool(name: string): boolean {
    return this.values[name] === true;
  }
  /** true, false, or undefined when the flag was not given (and has no default). */
  optBool(name: string): boolean | undefined {
    const v = this.values[name];
    return typeof v === 'boolean' ? v : undefined;
  }
  int(name: string): number | undefined {
    const v = this.values[name];
    return typeof v === 'number' ? v : undefined;
  }
  list(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v : [];
  }
  /** A repeatable flag whose values may also be comma-separated: `-policy=a,b -policy=c`. */
  commaList(name: string): string[] {
    return this.list(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  }
}

export interface CommandDef {
  /** The words that name it: `kv get`. */
  name: string;
  /** `Usage: …` line(s) and a description; flag sections are added from the specs. */
  help: string;
  flags?: FlagSpec;
  /** Talks to a server (adds the HTTP options). Default true. */
  http?: boolean;
  /** `format`: -format; `field`: -format and -field. */
  output?: 'format' | 'field';
  run(ctx: Context, args: string[], flags: Flags): Promise<number> | number;
}

export const defineCommand = (def: CommandDef): CommandDef => def;

export const HTTP_FLAGS: FlagSpec = {
  address: {
    type: 'string',
    usage: 'Address of the server. Also COFFER_ADDR or VAULT_ADDR; the default is http://127.0.0.1:8200.',
  },
  'ca-cert': { type: 'string', usage: 'PEM file of the CA certificates to verify the server with. Also COFFER_CACERT or VAULT_CACERT.' },
  'ca-path': { type: 'string', usage: 'Directory of PEM files (*.pem, *.crt) to verify the server with. Also COFFER_CAPATH or VAULT_CAPATH.' },
  'tls-skip-verify': { type: 'bool', usage: 'Do not verify the server certificate. Insecure; for testing only. Also COFFER_SKIP_VERIFY or VAULT_SKIP_VERIFY.' },
  'client-cert': { type: 'string', usage: 'PEM file of the client certificate for TLS (the cert auth method). Also COFFER_CLIENT_CERT or VAULT_CLIENT_CERT.' },
  'client-key': { type: 'string', usage: 'PEM file of the private key of -client-cert. Also COFFER_CLIENT_KEY or VAULT_CLIENT_KEY.' },
  'tls-server-name': { type: 'string', usage: 'Name to use as the SNI host and to verify the certificate against. Also VAULT_TLS_SERVER_NAME.' },
  namespace: { type: 'string', aliases: ['ns'], usage: 'Namespace to send requests to (X-Vault-Namespace). Also VAULT_NAMESPACE.' },
  header: { type: 'string', repeatable: true, usage: 'An extra HTTP header on every request, as name=value. Repeatable.' },
  'wrap-ttl': {
    type: 'duration',
    usage:
      'Wrap the answer in a single-use wrapping token with this TTL (e.g. 5m) instead of printing it; open it with "coffer unwrap". Also COFFER_WRAP_TTL or VAULT_WRAP_TTL.',
  },
  'non-interactive': { type: 'bool', default: false, usage: 'Never prompt; fail when input would be asked for.' },
};

const FORMAT_FLAG: FlagSpec = {
  format: {
    type: 'string',
    usage: 'Print the output as "table", "json" or "yaml". Also COFFER_FORMAT or VAULT_FORMAT; the default is table.',
  },
};

const FIELD_FLAG: FlagSpec = {
  field: {
    type: 'string',
    usage: 'Print only this field, raw: no trailing newline when the output is not a terminal.',
  },
};

function flagLines(spec: FlagSpec): string[] {
  const lines: string[] = [];
  for (const name of Object.keys(spec).sort()) {
    const def: FlagDef = spec[name]!;
    const placeholder = def.type === 'bool' ? '' : `=<${def.type}>`;
    const aliases = (def.aliases ?? []).map((a) => `, -${a}${placeholder}`).join('');
    lines.push(`  -${name}${placeholder}${aliases}`);
    let text = def.usage ?? '';
    if (def.default !== undefined && def.default !== false && def.default !== '' && !/default is/i.test(text)) {
      text += ` The default is ${String(def.default)}.`;
    }
    if (def.repeatable && !/repeat/i.test(text)) text += ' Repeatable.';
    if (text.trim() !== '') lines.push(wrapAtLength(text.trim(), 6), '');
    else lines.push('');
  }
  return lines;
}

export function helpText(def: CommandDef): string {
  const sections = [def.help.replace(/\s+$/, ''), ''];
  if (def.http !== false) sections.push('HTTP Options:', '', ...flagLines(HTTP_FLAGS));
  if (def.output) sections.push('Output Options:', '', ...flagLines({ ...FORMAT_FLAG, ...(def.output === 'field' ? FIELD_FLAG : {}) }));
  if (def.flags && Object.keys(def.flags).length) sections.push('Command Options:', '', ...flagLines(def.flags));
  return sections.join('\n').replace(/\n+$/, '\n');
}

function specFor(def: CommandDef): FlagSpec {
  return {
    ...(def.http !== false ? HTTP_FLAGS : {}),
    ...(def.output ? FORMAT_FLAG : {}),
    ...(def.output === 'field' ? FIELD_FLAG : {}),
    ...def.flags,
  };
}

function resolveFormat(flag: string | undefined, env: NodeJS.ProcessEnv): Format {
  const raw = (flag ?? envValue(env, 'FORMAT') ?? 'table').toLowerCase();
  if (raw === 'table' || raw === 'json' || raw === 'yaml') return raw;
  if (raw === 'yml') return 'yaml';
  throw new UsageError(`Invalid output format: ${raw} (expected table, json or yaml)`);
}

export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '-h' || a === '-help' || a === '--help' || a === '--h') return true;
  }
  return false;
}

export function makeContext(io: CliIo, flags: Flags, format: Format): Context {
  let cached: Logical | undefined;
  const global = flags.values as GlobalFlags;
  const build = (token: string | undefined, useToken: boolean): Logical => {
    let opts;
    try {
      opts = resolveClientOptions(io.env, global);
    } catch (err) {
      if (err instanceof ConfigError) throw new CommandFailed(err.message);
      throw err;
    }
    return createLogical(createApiClient({ ...opts, token: useToken ? token : opts.token }));
  };
  return {
    io,
    format,
    field: flags.str('field'),
    nonInteractive: flags.bool('non-interactive'),
    api: () => (cached ??= build(undefined, false)),
    apiWithToken: (token) => build(token, true),
    out: (text) => io.stdout.write(`${text}\n`),
    err: (text) => io.stderr.write(`${text}\n`),
  };
}

export async function runCommand(def: CommandDef, argv: string[], io: CliIo): Promise<number> {
  const help = helpText(def);
  if (wantsHelp(argv)) {
    io.stdout.write(help);
    return 0;
  }
  try {
    const { flags: values, args } = parseFlags(argv, specFor(def));
    const flags = new Flags(values);
    const format = def.output ? resolveFormat(flags.str('format'), io.env) : 'table';
    const ctx = makeContext(io, flags, format);
    return await def.run(ctx, args, flags);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\n\n${def.help.replace(/\s+$/, '')}\n\nRun "coffer ${def.name} -help" for all options.\n`);
      return 2;
    }
    if (err instanceof CommandFailed) {
      io.stderr.write(`${err.message}\n`);
      return err.code;
    }
    if (err instanceof PromptCancelled) {
      io.stderr.write('user canceled\n');
      return 1;
    }
    io.stderr.write(`Error: ${describeError(err)}\n`);
    return 1;
  }
}

/** Usage error unless the argument count is within [min, max]. */
export function expectArgs(args: string[], min: number, max = min): void {
  if (args.length < min) {
    const want = min === max ? String(min) : max === Infinity ? `at least ${min}` : `${min}-${max}`;
    throw new UsageError(`Not enough arguments (expected ${want}, got ${args.length})`);
  }
  if (args.length > max) {
    const want = min === max ? String(max) : `${min}-${max}`;
    throw new UsageError(`Too many arguments (expected ${want}, got ${args.length})`);
  }
}

/** Vault's path tidying: no leading or trailing slashes. */
export function sanitizePath(p: string): string {
  return p.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}

export function ensureTrailingSlash(p: string): string {
  const s = p.trim();
  return s === '' || s.endsWith('/') ? s : `${s}/`;
}
