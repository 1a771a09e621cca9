/**
 * Go-style flags, as the Vault CLI takes them: `-name=value`, `-name value`, `--name`,
 * boolean `-dev` / `-dev=false`, and `--` to end flags. No common Node library parses
 * single-dash long flags, which Vault users type from muscle memory.
 */
export interface FlagSpec {
  [name: string]: { type: 'string' | 'bool' | 'int'; default?: string | boolean | number; repeatable?: boolean };
}

export class UsageError extends Error {}

export interface ParsedFlags {
  flags: Record<string, string | boolean | number | string[]>;
  args: string[];
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
    const name = eq === -1 ? body : body.slice(0, eq);
    const s = spec[name];
    if (!s) throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    if (s.type === 'bool') {
      if (value === undefined) flags[name] = true;
      else if (/^(true|1|t)$/i.test(value)) flags[name] = true;
      else if (/^(false|0|f)$/i.test(value)) flags[name] = false;
      else throw new UsageError(`invalid boolean value "${value}" for -${name}`);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = argv[++i]!;
    }
    if (s.type === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for -${name}: expected an integer`);
      flags[name] = Number(value);
    } else if (s.repeatable) {
      const prev = flags[name];
      flags[name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else {
      flags[name] = value;
    }
  }
  return { flags, args };
}
