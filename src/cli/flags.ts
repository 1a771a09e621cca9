/**
 * Go-style flags, as the Vault CLI takes them: `-name=value`, `-name value`, `--name`,
 * boolean `-dev` / `-dev=false`, and `--` to end flags. No common Node library parses
 * single-dash long flags, which Vault users type from muscle memory.
 */
export interface FlagDef {
  /** `duration` takes Go durations (`90s`, `1h30m`) or plain seconds, kept as the string typed. */
  type: 'string' | 'bool' | 'int' | 'duration';
  default?: string | boolean | number;
  repeatable?: boolean;
  /** Other spellings, e.g. `n` for `key-shares`. */
  aliases?: string[];
  /** One or two sentences for `-help`. */
  usage?: string;
}

export interface FlagSpec {
  [name: string]: FlagDef;
}

export class UsageError extends Error {}

export interface ParsedFlags {
  flags: Record<string, string | boolean | number | string[]>;
  args: string[];
}

const DURATION = /^(?:-?\d+|-?(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;

export function isDuration(value: string): boolean {
  return DURATION.test(value);
}

function lookup(spec: FlagSpec, name: string): [string, FlagDef] | undefined {
  const direct = spec[name];
  if (direct) return [name, direct];
  for (const [canonical, def] of Object.entries(spec)) if (def.aliases?.includes(name)) return [canonical, def];
  return undefined;
}

export function parseFlags(argv: string[], spec: FlagSpec): ParsedFlags {
  const flags: ParsedFlags['flags'] = {};
  for (const [name, s] of Object.entries(spec)) if (s.default !== undefined) flags[name] = s.default;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const given = eq === -1 ? body : body.slice(0, eq);
    const found = lookup(spec, given);
    if (!found) throw new UsageError(`flag provided but not defined: -${given}`);
    const [name, s] = found;
    let value: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    if (s.type === 'bool') {
      if (value === undefined) flags[name] = true;
      else if (/^(true|1|t)$/i.test(value)) flags[name] = true;
      else if (/^(false|0|f)$/i.test(value)) flags[name] = false;
      else throw new UsageError(`invalid boolean value "${value}" for -${given}`);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${given}`);
      value = argv[++i]!;
    }
    if (s.type === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for -${given}: expected an integer`);
      flags[name] = Number(value);
    } else if (s.type === 'duration' && !isDuration(value)) {
      throw new UsageError(`invalid value "${value}" for -${given}: expected a duration such as 30s, 15m or 768h`);
    } else if (s.repeatable) {
      const prev = flags[name];
      flags[name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else {
      flags[name] = value;
    }
  }
  return { flags, args };
}
