/**
 * Reading one stanza of an agent configuration file: typed getters that name the file,
 * the stanza and (for HCL input) the line in every error, and a check that the stanza
 * holds no key the agent does not know. A misspelt key is an error, not a silent default:
 * a Vault Agent file with a typo would otherwise run with settings nobody asked for.
 */
import { parseDuration } from '../../framework/duration.js';
import { getOwn, hasOwn, isObject, keyLine, lineOf } from '../../hcl/index.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

export interface Stanza {
  /** `file.hcl: auto_auth.method "approle"` (with `, line N` when known). */
  readonly where: string;
  readonly source: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly format: SourceFormat;
  has(key: string): boolean;
  raw(key: string): unknown;
  str(key: string): string | undefined;
  requiredStr(key: string): string;
  bool(key: string): boolean | undefined;
  int(key: string): number | undefined;
  /** Seconds, from "30s", "5m" or a number of seconds. */
  durationSeconds(key: string): number | undefined;
  /** Milliseconds, for settings where less than a second matters ("500ms"). */
  durationMs(key: string): number | undefined;
  /** File modes are written as octal strings ("0640") or numbers (HCL reads 0640 as 640). */
  mode(key: string): number | undefined;
  /** A list of strings, or one string. */
  strings(key: string): string[] | undefined;
  /** A nested object (`config = {...}` or a `retry {}` block); several of them are an error. */
  object(key: string): Stanza | undefined;
  /** Every nested block called `key` (one or many). */
  objects(key: string): Stanza[];
  fail(message: string, key?: string): never;
  /** Errors for keys nobody read: call after reading every known key. */
  done(): void;
}

/** `json`: numbers are plain numbers (a JSON file's mode 416 is 0640, as Vault reads it). */
export type SourceFormat = 'hcl' | 'json';

export function stanza(source: string, path: string, body: Record<string, unknown>, format: SourceFormat = 'hcl'): Stanza {
  const used = new Set<string>();
  const lineText = (key?: string): string => {
    const line = key !== undefined ? keyLine(body, key) : lineOf(body);
    return line !== undefined ? `, line ${line}` : '';
  };
  const label = path === '' ? 'top level' : path;
  const at = (key?: string) => `${source}: ${label}${key !== undefined ? `.${key}` : ''}${lineText(key)}`;
  const fail = (message: string, key?: string): never => {
    throw new AgentConfigError(`${at(key)}: ${message}`);
  };
  const raw = (key: string): unknown => {
    used.add(key);
    const v = getOwn(body, key);
    return v === null ? undefined : v;
  };
  const one = (key: string): unknown => {
    const v = raw(key);
    if (Array.isArray(v) && v.length > 0 && v.every(isObject)) return v.length === 1 ? v[0] : fail('is given more than once', key);
    return v;
  };
  const s: Stanza = {
    where: at(),
    source,
    path,
    body,
    format,
    has: (key) => hasOwn(body, key) && getOwn(body, key) !== null,
    raw,
    str(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return fail('must be a string', key);
    },
    requiredStr(key) {
      const v = s.str(key);
      if (v === undefined || v.trim() === '') return fail('is required', key);
      return v;
    },
    bool(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false|1|0|t|f)$/i.test(v.trim())) return /^(true|1|t)$/i.test(v.trim());
      if (v === 0 || v === 1) return v === 1;
      return fail('must be true or false', key);
    },
    int(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      if (typeof n === 'number' && Number.isInteger(n)) return n;
      return fail('must be a whole number', key);
    },
    durationSeconds(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      const d = parseDuration(v);
      return d === undefined ? fail('must be a duration such as "30s", "5m" or a number of seconds', key) : d;
    },
    durationMs(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      if (parseDuration(v) === undefined) return fail('must be a duration such as "500ms", "30s" or a number of seconds', key);
      if (typeof v === 'number' || /^\s*\d+\s*$/.test(String(v))) return Number(v) * 1000;
      let ms = 0;
      for (const [, n, unit] of String(v).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g)) ms += Number(n) * UNIT_MS[unit!]!;
      return Math.round(ms);
    },
    mode(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      // A JSON number is the mode's value (416 is 0640). Vault's HCL reads `mode = 0640` as an
      // octal literal; our HCL reader keeps its digits (640), so an HCL number is read as octal digits.
      if (typeof v === 'number' && format === 'json') {
        if (!Number.isInteger(v) || v < 0 || v > 0o7777) return fail('must be a file mode, such as "0640" or 416', key);
        return v;
      }
      const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
      if (!/^0?[0-7]{1,4}$/.test(text)) return fail('must be a file mode in octal, such as "0640"', key);
      return parseInt(text, 8);
    },
    strings(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      if (typeof v === 'string') return [v];
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      return fail('must be a string or a list of strings', key);
    },
    object(key) {
      const v = one(key);
      if (v === undefined) return undefined;
      if (!isObject(v)) return fail('must be a block or an object', key);
      return stanza(source, path === '' ? key : `${path}.${key}`, v, format);
    },
    objects(key) {
      const v = raw(key);
      if (v === undefined) return [];
      const list = Array.isArray(v) ? v : [v];
      return list.map((item, i) => {
        if (!isObject(item)) return fail('must be a block', key);
        return stanza(source, `${path === '' ? '' : `${path}.`}${key}${list.length > 1 ? `[${i}]` : ''}`, item, format);
      });
    },
    fail,
    done() {
      for (const key of Object.keys(body)) {
        if (!used.has(key)) fail(`unknown key "${key}"`, key);
      }
    },
  };
  return s;
}

/**
 * The blocks `name "label" { ... }` in a stanza, whichever way they were written: labelled
 * (`method "approle" {}`), or unlabelled with a `type` key (`method { type = "approle" }`,
 * the usual JSON form). Each comes back with its type and its body.
 */
export function typedBlocks(parent: Stanza, key: string): Array<{ type: string; body: Stanza }> {
  const out: Array<{ type: string; body: Stanza }> = [];
  for (const block of parent.objects(key)) {
    const entries = Object.entries(block.body);
    if (hasOwn(block.body, 'type') || entries.length === 0) {
      out.push({ type: block.str('type') ?? '', body: block });
      continue;
    }
    for (const [label, value] of entries) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (!isObject(item)) block.fail(`must be a block: ${key} "${label}" { ... }`, label);
        const prefix = parent.path === '' ? '' : `${parent.path}.`;
        out.push({ type: label, body: stanza(block.source, `${prefix}${key} "${label}"`, item as Record<string, unknown>, block.format) });
      }
      block.raw(label);
    }
  }
  return out;
}
