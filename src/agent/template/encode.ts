/**
 * toJSON / toJSONPretty / toYAML as consul-template writes them: Go's encoding/json (map
 * keys sorted, `<`, `>` and `&` escaped for HTML safety) and a YAML block style with sorted
 * keys and sequences at their parent's indentation.
 */
import { isMap, type Value } from './format.js';

function sortKeys(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isMap(v)) {
    const out: Record<string, Value> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v === undefined ? null : v;
}

export function goJSON(v: Value, pretty: boolean, escapeHtml = true): string {
  let s = JSON.stringify(sortKeys(v), null, pretty ? 2 : undefined) ?? 'null';
  if (escapeHtml) s = s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s;
}

const PLAIN = /^[A-Za-z0-9_./@-][A-Za-z0-9_ ./@:-]*$/;
const AMBIGUOUS = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o?[0-7]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/i;

function scalar(s: string): string {
  if (s !== '' && PLAIN.test(s) && !AMBIGUOUS.test(s) && !s.endsWith(' ') && !s.includes(': ') && !s.endsWith(':')) return s;
  return JSON.stringify(s);
}

function yamlLines(v: Value, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return ['[]'];
    const lines: string[] = [];
    for (const e of v) {
      const inner = yamlLines(e, indent + '  ');
      if ((isMap(e) && Object.keys(e).length > 0) || (Array.isArray(e) && e.length > 0)) {
        lines.push(`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1));
      } else lines.push(`${indent}- ${inner[0]}`, ...inner.slice(1));
    }
    return lines;
  }
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return ['{}'];
    const lines: string[] = [];
    for (const k of keys) {
      const e = v[k];
      if (isMap(e) && Object.keys(e).length > 0) lines.push(`${indent}${scalar(k)}:`, ...yamlLines(e, indent + '  '));
      else if (Array.isArray(e) && e.length > 0) lines.push(`${indent}${scalar(k)}:`, ...yamlLines(e, indent));
      else {
        const inner = yamlLines(e, indent + '  ');
        lines.push(`${indent}${scalar(k)}: ${inner[0]}`, ...inner.slice(1));
      }
    }
    return lines;
  }
  if (v === null || v === undefined) return ['null'];
  if (typeof v === 'string' && v.includes('\n')) {
    // A literal block keeps multi-line values (PEM certificates) readable.
    const chomp = v.endsWith('\n') ? (v.endsWith('\n\n') ? '|+' : '|') : '|-';
    const body = v.replace(/\n$/, '').split('\n').map((l) => (l === '' ? '' : indent + l));
    return [chomp, ...body];
  }
  if (typeof v === 'string') return [scalar(v)];
  return [String(v)];
}

/** YAML ending in a newline, as yaml.Marshal does; no trailing newline is added by the caller. */
export function toYaml(v: Value): string {
  const lines = yamlLines(v, '');
  return lines.join('\n') + '\n';
}
