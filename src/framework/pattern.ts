/**
 * Path patterns without free regex: literal segments, `:name` (one segment), `:name*` (any
 * run of characters, '/' included, possibly empty), and an optional trailing slash written
 * as a final `/?`. A `:name*` may be followed by literal segments (as in the tune path of sys/mounts):
 * those are matched from the end. Compiled once when a backend is defined.
 */
export interface CompiledPattern {
  source: string;
  /** Field names captured from the path, in order. */
  params: string[];
  match(path: string): Record<string, string> | null;
  /** OpenAPI form: `keys/{name}/rotate`. */
  openapi: string;
}

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string };

function parseSegments(source: string, body: string): Segment[] {
  if (body === '') return [];
  const segments = body.split('/').map((part): Segment => {
    if (part.startsWith(':') && part.endsWith('*')) return { kind: 'rest', name: part.slice(1, -1) };
    if (part.startsWith(':')) return { kind: 'param', name: part.slice(1) };
    if (/[:*?]/.test(part)) throw new Error(`pattern ${source}: bad segment "${part}"`);
    return { kind: 'literal', text: part };
  });
  const restAt = segments.findIndex((s) => s.kind === 'rest');
  if (restAt !== -1 && segments.slice(restAt + 1).some((s) => s.kind !== 'literal')) {
    throw new Error(`pattern ${source}: only literal segments may follow a rest parameter`);
  }
  return segments;
}

/** Matches `segments` against the start of `p`; returns the position after them or -1. */
function matchPrefix(segments: Segment[], p: string, out: Record<string, string>): number {
  let pos = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (i > 0) {
      if (p.charCodeAt(pos) !== 47 /* '/' */) return -1;
      pos++;
    }
    if (seg.kind === 'literal') {
      // Compared in place: most patterns tried on a request fail here, and a slice per try adds up.
      const after = pos + seg.text.length;
      if (!p.startsWith(seg.text, pos) || (after < p.length && p.charCodeAt(after) !== 47)) return -1;
      pos = after;
      continue;
    }
    const end = p.indexOf('/', pos);
    const part = end === -1 ? p.slice(pos) : p.slice(pos, end);
    if (part === '') return -1;
    out[seg.name] = part;
    pos += part.length;
  }
  return pos;
}

export function compilePattern(source: string): CompiledPattern {
  let body = source;
  let optionalSlash = false;
  if (body.endsWith('/?')) {
    optionalSlash = true;
    body = body.slice(0, -2);
  }
  const segments = parseSegments(source, body);
  const params = segments.filter((s) => s.kind !== 'literal').map((s) => (s as { name: string }).name);
  const restAt = segments.findIndex((s) => s.kind === 'rest');
  const head = restAt === -1 ? segments : segments.slice(0, restAt);
  const rest = restAt === -1 ? undefined : (segments[restAt] as { name: string });
  const tail = restAt === -1 ? '' : segments.slice(restAt + 1).map((s) => '/' + (s as { text: string }).text).join('');

  const match = (path: string): Record<string, string> | null => {
    let p = path;
    if (optionalSlash && p.endsWith('/') && (!rest || tail !== '')) p = p.slice(0, -1);
    const out: Record<string, string> = {};
    const pos = matchPrefix(head, p, out);
    if (pos < 0) return null;
    if (!rest) return pos === p.length ? out : null;
    if (tail === '') {
      // `:name*` alone: the rest of the path, possibly empty.
      if (pos === p.length) out[rest.name] = '';
      else if (head.length === 0) out[rest.name] = p;
      else if (p.charCodeAt(pos) === 47) out[rest.name] = p.slice(pos + 1);
      else return null;
      return out;
    }
    // rest-then-literals: a non-empty middle, the literals at the very end.
    if (!p.endsWith(tail)) return null;
    const start = head.length === 0 ? 0 : pos + 1;
    if (head.length > 0 && p.charCodeAt(pos) !== 47) return null;
    const middle = p.slice(start, p.length - tail.length);
    if (middle === '') return null;
    out[rest.name] = middle;
    return out;
  };

  const openapi = segments.map((s) => (s.kind === 'literal' ? s.text : `{${s.name}}`)).join('/') + (optionalSlash ? '/' : '');
  return { source, params, match, openapi };
}
