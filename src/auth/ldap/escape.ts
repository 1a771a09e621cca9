/**
 * Escaping of user-supplied values before they reach the directory, and the Go-template-like
 * filters of the config. A login name goes into a search filter (RFC 4515) and, without
 * discoverdn, into a DN (RFC 4514); unescaped, `*` or `)(` in a username would widen a search
 * to other people's entries (OpenBao's 2026 LDAP injection advisory), and `,` or `+` would
 * change which entry a bind names. Every byte with a meaning in either grammar is escaped.
 */

/** RFC 4515 §3: a value inside a filter. `*`, `(`, `)`, `\` and NUL become `\XX`. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '*': out += '\\2a'; break;
      case '(': out += '\\28'; break;
      case ')': out += '\\29'; break;
      case '\\': out += '\\5c'; break;
      case '\u0000': out += '\\00'; break;
      default: out += ch;
    }
  }
  return out;
}

const DN_SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', '=']);

/**
 * RFC 4514 §2.4: an attribute value inside a DN. The special characters get a backslash, a
 * leading `#` or space and a trailing space too, and control characters their hex pair (so
 * NUL never ends a DN early). `=` is escaped as well: allowed raw, but some servers misparse it.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(16).padStart(2, '0');
    else if (DN_SPECIAL.has(ch)) out += '\\' + ch;
    else if (i === 0 && (ch === ' ' || ch === '#')) out += '\\' + ch;
    else if (i === chars.length - 1 && ch === ' ') out += '\\' + ch;
    else out += ch;
  });
  return out;
}

/** `{{.Name}}` with optional spaces inside the braces: the only template action Vault's docs use. */
const ACTION = /\{\{-?\s*\.([A-Za-z]+)\s*-?\}\}/g;

/**
 * Checks a `userfilter`/`groupfilter` template: only the placeholders in `allowed`, no other
 * template syntax. Returns a problem to answer with, or undefined when the template is fine.
 */
export function checkTemplate(template: string, allowed: readonly string[]): string | undefined {
  for (const m of template.matchAll(ACTION)) {
    if (!allowed.includes(m[1]!)) return `unknown placeholder {{.${m[1]}}}: use ${allowed.map((a) => `{{.${a}}}`).join(', ')}`;
  }
  const rest = template.replace(ACTION, '');
  if (rest.includes('{{') || rest.includes('}}')) return `only the placeholders ${allowed.map((a) => `{{.${a}}}`).join(', ')} are supported`;
  return undefined;
}

/** Fills the placeholders of a checked template with values escaped for a filter. */
export function renderFilter(template: string, values: Record<string, string>): string {
  return template.replace(ACTION, (_all, name: string) => escapeFilterValue(values[name] ?? ''));
}

/** Splits a DN at unescaped `,` into RDNs, each into `type=value` pairs at unescaped `+`. */
function parseDn(dn: string): { type: string; value: string }[][] | undefined {
  const rdns: { type: string; value: string }[][] = [];
  let attrs: { type: string; value: string }[] = [];
  let current = '';
  const flush = (): boolean => {
    const eq = current.indexOf('=');
    if (eq <= 0) return false;
    attrs.push({ type: current.slice(0, eq).trim(), value: unescapeDnValue(current.slice(eq + 1).trim()) });
    current = '';
    return true;
  };
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && i + 1 < dn.length) {
      current += ch + dn[i + 1];
      i++;
    } else if (ch === ',' || ch === '+') {
      if (!flush()) return undefined;
      if (ch === ',') {
        rdns.push(attrs);
        attrs = [];
      }
    } else current += ch;
  }
  if (!flush()) return undefined;
  rdns.push(attrs);
  return rdns;
}

function unescapeDnValue(raw: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch === '\\' && i + 1 < raw.length) {
      bytes.push(...Buffer.from(raw[i + 1]!, 'utf8'));
      i++;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The group name Vault takes from a DN: its first `cn` value; the string itself when it is no DN or has no cn. */
export function groupNameOf(value: string): string {
  const rdns = parseDn(value);
  if (!rdns) return value;
  for (const rdn of rdns) for (const a of rdn) if (a.type.toLowerCase() === 'cn') return a.value;
  return value;
}
