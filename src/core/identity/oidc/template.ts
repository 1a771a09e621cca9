/**
 * Claims templates, as Vault writes them: a JSON object whose values may be identity
 * parameters in double braces. A parameter outside quotes becomes a JSON value (a string,
 * a list, a map); inside a string it is spliced in as text. A parameter with no value
 * renders as null outside quotes (the claim is then left out) and as nothing inside one.
 */
import { parseDuration } from '../../../framework/duration.js';
import { invalidRequest } from '../../../errors.js';
import { own } from '../../policy/path-template.js';

/** What a template can read of one entity. */
export interface TemplateEntity {
  id: string;
  name: string;
  metadata: Record<string, string>;
  aliases: { id: string; mountAccessor: string; name: string; metadata: Record<string, string>; customMetadata: Record<string, string> }[];
  groups: { id: string; name: string; metadata: Record<string, string> }[];
}

export const ROLE_RESERVED = ['iat', 'aud', 'exp', 'iss', 'sub', 'namespace'];
export const SCOPE_RESERVED = [...ROLE_RESERVED, 'nonce', 'auth_time', 'at_hash', 'c_hash'];

const PARAM = /\{\{\s*([^{}\s]+)\s*\}\}/g;

const KNOWN = [
  /^identity\.entity\.(id|name|metadata|groups\.ids|groups\.names)$/,
  /^identity\.entity\.metadata\.[^.]+$/,
  /^identity\.entity\.aliases\.[^.]+\.(id|name|metadata)$/,
  /^identity\.entity\.aliases\.[^.]+\.(metadata|custom_metadata)\.[^.]+$/,
  /^identity\.groups\.(ids\.[^.]+\.name|names\.[^.]+\.id)$/,
  /^identity\.groups\.(ids|names)\.[^.]+\.metadata\.[^.]+$/,
  /^time\.now$/,
  /^time\.now\.(plus|minus)\.[^.]+$/,
];

function lookup(param: string, e: TemplateEntity, nowSec: number): unknown {
  const parts = param.split('.');
  if (parts[0] === 'time') {
    if (parts.length === 2) return nowSec;
    const d = parseDuration(parts[3] ?? '') ?? 0;
    return parts[2] === 'plus' ? nowSec + d : nowSec - d;
  }
  if (parts[1] === 'groups') {
    const [, , by, key, field, mkey] = parts;
    const g = by === 'ids' ? e.groups.find((x) => x.id === key) : e.groups.find((x) => x.name === key);
    if (!g) return undefined;
    if (field === 'metadata') return own(g.metadata, mkey ?? '');
    return field === 'name' ? g.name : g.id;
  }
  const [, , what, a, b, c] = parts;
  switch (what) {
    case 'id':
      return e.id;
    case 'name':
      return e.name;
    case 'metadata':
      return a === undefined ? e.metadata : own(e.metadata, a);
    case 'groups':
      return a === 'ids' ? e.groups.map((g) => g.id) : e.groups.map((g) => g.name);
    case 'aliases': {
      const alias = e.aliases.find((x) => x.mountAccessor === a);
      if (!alias) return undefined;
      if (b === 'id') return alias.id;
      if (b === 'name') return alias.name;
      const map = b === 'custom_metadata' ? alias.customMetadata : alias.metadata;
      return c === undefined ? map : own(map, c);
    }
  }
  return undefined;
}

/** Replaces each parameter by `value(param, quoted)`, tracking whether it sits inside a JSON string. */
function substitute(template: string, value: (param: string, quoted: boolean) => string): string {
  let out = '';
  let last = 0;
  let inString = false;
  let scanned = 0;
  for (const m of template.matchAll(PARAM)) {
    const at = m.index!;
    for (let i = scanned; i < at; i++) {
      const ch = template[i];
      if (ch === '\\' && inString) i++;
      else if (ch === '"') inString = !inString;
    }
    scanned = at + m[0].length;
    out += template.slice(last, at) + value(m[1]!, inString);
    last = scanned;
  }
  return out + template.slice(last);
}

/** The template as text: JSON as given, or base64 of it (Vault takes both). */
export function decodeTemplate(text: string): string {
  const t = text.trim();
  if (t === '' || t.startsWith('{')) return t;
  const decoded = Buffer.from(t, 'base64').toString('utf8').trim();
  return decoded.startsWith('{') ? decoded : t;
}

/** Checks a template when it is written: JSON object, known parameters, no reserved claim. */
export function validateTemplate(text: string, reserved: string[]): string {
  const t = decodeTemplate(text);
  if (t === '') return '';
  for (const m of t.matchAll(PARAM)) {
    if (!KNOWN.some((re) => re.test(m[1]!))) throw invalidRequest(`error parsing template: unknown parameter "${m[1]}"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(substitute(t, (_p, quoted) => (quoted ? '' : 'null')));
  } catch {
    throw invalidRequest('error parsing template JSON: the template must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidRequest('error parsing template JSON: the template must be a JSON object');
  const bad = Object.keys(parsed).filter((k) => reserved.includes(k));
  if (bad.length) throw invalidRequest(`top level key "${bad[0]}" not allowed. Restricted keys: ${reserved.join(', ')}`);
  return t;
}

/** The claims a template gives for one entity; claims without a value are left out. */
export function renderTemplate(text: string, entity: TemplateEntity, nowSec: number): Record<string, unknown> {
  if (text === '') return {};
  const rendered = substitute(text, (param, quoted) => {
    const v = lookup(param, entity, nowSec);
    if (quoted) return v === undefined ? '' : JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)).slice(1, -1);
    return v === undefined ? 'null' : JSON.stringify(v);
  });
  const claims = JSON.parse(rendered) as Record<string, unknown>;
  for (const [k, v] of Object.entries(claims)) if (v === null) delete claims[k];
  return claims;
}
