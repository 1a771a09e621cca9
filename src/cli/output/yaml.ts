/**
 * A small YAML emitter for `-format=yaml`, shaped like the Vault CLI's (JSON turned into
 * YAML by go-yaml): map keys sorted, sequences not indented under their key, strings plain
 * when that is unambiguous, otherwise double-quoted, and multi-line strings as literal
 * blocks. It emits only what JSON can hold.
 */

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~|=|<<)$/i;
const NUMBER_LIKE = [
  /^[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0o?[0-7_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
];
const TIMESTAMP_LIKE = /^\d{4}-\d\d?-\d\d?/;
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;

function plainSafe(s: string): boolean {
  if (s === '' || s !== s.trim()) return false;
  if (RESERVED.test(s) || TIMESTAMP_LIKE.test(s) || NUMBER_LIKE.some((re) => re.test(s))) return false;
  if (INDICATOR_START.test(s)) return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(s);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  const s = String(v);
  return plainSafe(s) ? s : JSON.stringify(s);
}

/** A literal block (`|`, `|-` or `|+`) when the text allows one. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || /[\r\t]/.test(s) || /^[ ]/.test(s)) return undefined;
  const body = s.replace(/\n+$/, '');
  const trailing = s.length - body.length;
  const lines = body.split('\n');
  if (lines.some((l) => / $/.test(l))) return undefined;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
  return `|${chomp}\n${lines.map((l) => (l === '' ? '' : indent + l)).join('\n')}${extra}`;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function emitMap(map: Record<string, unknown>, indent: string): string[] {
  const out: string[] = [];
  for (const key of Object.keys(map).sort()) {
    const v = map[key];
    const k = `${indent}${scalar(key)}:`;
    if (isMap(v) && Object.keys(v).length > 0) out.push(k, ...emitMap(v, indent + '  '));
    else if (Array.isArray(v) && v.length > 0) out.push(k, ...emitList(v, indent));
    else out.push(`${k} ${inline(v, indent + '  ')}`);
  }
  return out;
}

function emitList(list: unknown[], indent: string): string[] {
  const out: string[] = [];
  for (const v of list) {
    if (isMap(v) && Object.keys(v).length > 0) {
      const [first, ...rest] = emitMap(v, indent + '  ');
      out.push(`${indent}- ${first!.slice(indent.length + 2)}`, ...rest);
    } else if (Array.isArray(v) && v.length > 0) {
      const [first, ...rest] = emitList(v, indent + '  ');
      out.push(`${indent}- ${first!.slice(indent.length + 2)}`, ...rest);
    } else {
      out.push(`${indent}- ${inline(v, indent + '  ')}`);
    }
  }
  return out;
}

function inline(v: unknown, blockIndent: string): string {
  if (isMap(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'string') return literalBlock(v, blockIndent) ?? scalar(v);
  return scalar(v);
}

export function toYaml(value: unknown): string {
  if (isMap(value) && Object.keys(value).length > 0) return emitMap(value, '').join('\n');
  if (Array.isArray(value) && value.length > 0) return emitList(value, '').join('\n');
  return inline(value, '  ');
}
