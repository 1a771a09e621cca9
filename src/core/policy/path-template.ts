/**
 * ACL templating: `{{identity.…}}` parameters in a policy path, filled per caller from the
 * entity behind its token. Parsed and validated once with the policy; resolved when an ACL
 * is compiled for one entity (see acl.ts), never per request.
 *
 * A filled-in value is text, never pattern syntax: `*`, `+`, `{`, `,` and the like in an
 * entity name, alias name or metadata value match only themselves (the matcher is told
 * which characters are wildcards, so none can come from a value). A value that could reach
 * past its own segment (one holding `/`, being `.` or `..`, holding control characters) or
 * that is empty makes the path match nothing, as does a parameter the caller lacks.
 */
import { invalidRequest } from '../../errors.js';
import { buildPathPattern, MAX_PATTERN_LENGTH, parsePathPattern, type PathPattern } from './path-pattern.js';

/** What a template may read about the caller's identity: one entity and the groups it is in. */
export interface IdentityFacts {
  readonly entityId: string;
  readonly entityName: string;
  readonly entityMetadata: Readonly<Record<string, string>>;
  /** The entity's alias on the auth mount with this accessor. */
  alias(accessor: string): { id: string; name: string; metadata: Record<string, string>; customMetadata: Record<string, string> } | undefined;
  /** A group the entity is in, directly or inherited, by id or by (case-insensitive) name. */
  groupById(id: string): { id: string; name: string; metadata: Record<string, string> } | undefined;
  groupByName(name: string): { id: string; name: string; metadata: Record<string, string> } | undefined;
}

type Param =
  | { kind: 'entity'; field: 'id' | 'name' }
  | { kind: 'entity-metadata'; key: string }
  | { kind: 'alias'; accessor: string; field: 'id' | 'name' | 'metadata' | 'custom_metadata'; key?: string }
  | { kind: 'group-id'; id: string; field: 'name' | 'metadata'; key?: string }
  | { kind: 'group-name'; name: string; field: 'id' | 'metadata'; key?: string };

/** Literal text between parameters; `params[i]` sits between `texts[i]` and `texts[i + 1]`. */
export interface PathTemplate {
  readonly raw: string;
  readonly texts: readonly string[];
  readonly params: readonly Param[];
  readonly endsWithGlob: boolean;
}

const OPEN = '{{';
const CLOSE = '}}';
const MAX_PARAMS = 16;

export const isTemplated = (pattern: string): boolean => pattern.includes(OPEN);

/** Parses a templated pattern (leading slashes already removed); 400 naming the fault. */
export function parsePathTemplate(pattern: string): PathTemplate {
  const shown = JSON.stringify(pattern.length > 80 ? pattern.slice(0, 80) + '…' : pattern);
  const texts: string[] = [];
  const params: Param[] = [];
  let at = 0;
  for (;;) {
    const open = pattern.indexOf(OPEN, at);
    const text = pattern.slice(at, open === -1 ? undefined : open);
    if (text.includes(CLOSE)) throw invalidRequest(`path ${shown}: "}}" without a matching "{{"`);
    texts.push(text);
    if (open === -1) break;
    const close = pattern.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw invalidRequest(`path ${shown}: "{{" without a matching "}}"`);
    const name = pattern.slice(open + OPEN.length, close).trim();
    if (name.includes(OPEN)) throw invalidRequest(`path ${shown}: templates cannot be nested`);
    params.push(parseParam(name, shown));
    if (params.length > MAX_PARAMS) throw invalidRequest(`path ${shown}: more than ${MAX_PARAMS} template parameters`);
    at = close + CLOSE.length;
  }
  // The wildcards a template may hold are its own: check them with each parameter as plain text.
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalidRequest(`path ${shown}: the pattern is too long`);
  parsePathPattern(texts.join('x'), shown);
  const last = texts[texts.length - 1]!;
  return { raw: pattern, texts, params, endsWithGlob: last.endsWith('*') };
}

function parseParam(name: string, shown: string): Param {
  const bad = () => invalidRequest(`path ${shown}: unknown template parameter ${JSON.stringify(name)}`);
  const rest = (prefix: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : undefined);
  if (name === 'identity.entity.id') return { kind: 'entity', field: 'id' };
  if (name === 'identity.entity.name') return { kind: 'entity', field: 'name' };
  let r = rest('identity.entity.metadata.');
  if (r) return { kind: 'entity-metadata', key: r };
  r = rest('identity.entity.aliases.');
  if (r) {
    const dot = r.indexOf('.');
    if (dot <= 0) throw bad();
    const accessor = r.slice(0, dot);
    const tail = r.slice(dot + 1);
    if (tail === 'id' || tail === 'name') return { kind: 'alias', accessor, field: tail };
    for (const field of ['metadata', 'custom_metadata'] as const) {
      const key = tail.startsWith(field + '.') ? tail.slice(field.length + 1) : '';
      if (key) return { kind: 'alias', accessor, field, key };
    }
    throw bad();
  }
  // Group ids and names may hold dots: the field is read from the end.
  r = rest('identity.groups.ids.');
  if (r) {
    const meta = r.lastIndexOf('.metadata.');
    if (meta > 0 && meta + 10 < r.length) return { kind: 'group-id', id: r.slice(0, meta), field: 'metadata', key: r.slice(meta + 10) };
    if (r.endsWith('.name') && r.length > 5) return { kind: 'group-id', id: r.slice(0, -5), field: 'name' };
    throw bad();
  }
  r = rest('identity.groups.names.');
  if (r) {
    const meta = r.lastIndexOf('.metadata.');
    if (meta > 0 && meta + 10 < r.length) return { kind: 'group-name', name: r.slice(0, meta), field: 'metadata', key: r.slice(meta + 10) };
    if (r.endsWith('.id') && r.length > 3) return { kind: 'group-name', name: r.slice(0, -3), field: 'id' };
    throw bad();
  }
  throw bad();
}

function valueOf(p: Param, facts: IdentityFacts): string | undefined {
  switch (p.kind) {
    case 'entity':
      return p.field === 'id' ? facts.entityId : facts.entityName;
    case 'entity-metadata':
      return own(facts.entityMetadata, p.key);
    case 'alias': {
      const a = facts.alias(p.accessor);
      if (!a) return undefined;
      if (p.field === 'id') return a.id;
      if (p.field === 'name') return a.name;
      return own(p.field === 'metadata' ? a.metadata : a.customMetadata, p.key!);
    }
    case 'group-id': {
      const g = facts.groupById(p.id);
      if (!g) return undefined;
      return p.field === 'name' ? g.name : own(g.metadata, p.key!);
    }
    case 'group-name': {
      const g = facts.groupByName(p.name);
      if (!g) return undefined;
      return p.field === 'id' ? g.id : own(g.metadata, p.key!);
    }
  }
}

/** An own string property: a key such as `constructor` or `__proto__` reads nothing inherited. */
export const own = (o: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(o, key) && typeof o[key] === 'string' ? o[key] : undefined;

/** A value safe to place in a path: non-empty, one segment's worth of text, nothing that canonicalisation would change. */
function safeValue(v: string | undefined): v is string {
  // eslint-disable-next-line no-control-regex
  return v !== undefined && v !== '' && v !== '.' && v !== '..' && !v.includes('/') && !/[\u0000-\u001f\u007f]/.test(v);
}

/**
 * The template filled in for one caller, with its wildcards taken from the template's own
 * text only; undefined when a parameter cannot be filled (that path then matches nothing).
 */
export function resolvePathTemplate(t: PathTemplate, facts: IdentityFacts): PathPattern | undefined {
  let out = '';
  // Wildcard `+` segments at their positions in the result: only those written in the template.
  const plusAt: number[] = [];
  for (let i = 0; i < t.texts.length; i++) {
    const text = t.texts[i]!;
    for (let j = 0; j < text.length; j++) {
      if (text[j] !== '+') continue;
      const beforeOk = j > 0 ? text[j - 1] === '/' : i === 0 && out === '';
      const afterOk = j + 1 < text.length ? text[j + 1] === '/' : i === t.texts.length - 1;
      if (beforeOk && afterOk) plusAt.push(out.length + j);
    }
    out += text;
    if (i < t.params.length) {
      const v = valueOf(t.params[i]!, facts);
      if (!safeValue(v)) return undefined;
      out += v;
    }
  }
  const stem = t.endsWithGlob ? out.slice(0, -1) : out;
  return buildPathPattern(out, stem, t.endsWithGlob, plusAt);
}
