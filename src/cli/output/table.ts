/**
 * Table output as the Vault CLI prints it: columns padded to the widest cell and joined by
 * four spaces, the last column unpadded, empty cells shown as `n/a`, a header row underlined
 * with dashes. Values print the way Go's `%v` prints decoded JSON.
 */

const GLUE = '    ';
const EMPTY = 'n/a';

const width = (s: string): number => [...s].length;

/** Rows of cells into aligned text lines (no trailing newline). */
export function columns(rows: string[][]): string {
  const widths: number[] = [];
  const cleaned = rows.map((row) => row.map((c) => (c.trim() === '' ? EMPTY : c.trim())));
  for (const row of cleaned) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c))));
  return cleaned
    .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join(GLUE))
    .join('\n');
}

/** A header row, its underline of dashes, then the rows. */
export function table(header: string[], rows: string[][]): string {
  return columns([header, header.map((h) => '-'.repeat(width(h))), ...rows]);
}

/** Go's `%v` of a decoded JSON value: `<nil>`, `[a b]`, `map[k:v]` (keys sorted). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goValue(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** Go's `%q` of a string list: `["a" "b"]`. */
export function goQuotedList(v: unknown): string {
  const list = Array.isArray(v) ? v : [];
  return `[${list.map((x) => JSON.stringify(String(x))).join(' ')}]`;
}

/** Seconds as Go prints a duration, without the zero parts: 2764800 → 768h, 90 → 1m30s. */
export function humanDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.abs(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  let out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (out.endsWith('m0s')) out = out.slice(0, -2);
  const idx = out.indexOf('h0m');
  if (idx > 0) out = out.slice(0, idx + 1) + out.slice(idx + 3);
  return sign + out;
}

/** Keys whose integer values are shown as durations, as Vault's CLI does. */
export function looksLikeDuration(key: string): boolean {
  return (
    key === 'period' || key.endsWith('_period') || key === 'ttl' || key.endsWith('_ttl') ||
    key === 'duration' || key.endsWith('_duration') || key === 'lease_max' || key === 'ttl_max'
  );
}

function cell(key: string, value: unknown): string {
  if (looksLikeDuration(key) && typeof value === 'number' && Number.isInteger(value)) return humanDuration(value);
  return goValue(value);
}

/** A map as Key/Value rows, keys sorted. Empty when the map is. */
export function mapTable(data: Record<string, unknown>): string {
  const keys = Object.keys(data).sort();
  if (keys.length === 0) return '';
  return table(['Key', 'Value'], keys.map((k) => [k, cell(k, data[k])]));
}

/** A list of keys under a `Keys` header, sorted. */
export function listTable(keys: unknown[]): string {
  if (keys.length === 0) return '';
  return table(['Keys'], keys.map((k) => [String(k)]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0)));
}

export interface SecretLike {
  lease_id?: unknown;
  lease_duration?: unknown;
  renewable?: unknown;
  data?: unknown;
  auth?: unknown;
  wrap_info?: unknown;
}

/** The rows Vault prints for a secret: lease, auth, wrapping, then the data keys sorted. */
export function secretTable(secret: SecretLike): string {
  const rows: string[][] = [];
  const leaseDuration = typeof secret.lease_duration === 'number' ? secret.lease_duration : 0;
  if (leaseDuration > 0) {
    if (typeof secret.lease_id === 'string' && secret.lease_id !== '') {
      rows.push(['lease_id', secret.lease_id], ['lease_duration', humanDuration(leaseDuration)], ['lease_renewable', String(secret.renewable === true)]);
    } else {
      rows.push(['refresh_interval', humanDuration(leaseDuration)]);
    }
  }
  const auth = secret.auth as Record<string, unknown> | null | undefined;
  if (auth && typeof auth === 'object') {
    const duration = typeof auth.lease_duration === 'number' ? auth.lease_duration : 0;
    rows.push(
      ['token', goValue(auth.client_token ?? '')],
      ['token_accessor', goValue(auth.accessor ?? '')],
      ['token_duration', duration === 0 ? '∞' : humanDuration(duration)],
      ['token_renewable', String(auth.renewable === true)],
      ['token_policies', goQuotedList(auth.token_policies)],
      ['identity_policies', goQuotedList(auth.identity_policies)],
      ['policies', goQuotedList(auth.policies)],
    );
    const meta = auth.metadata;
    if (meta && typeof meta === 'object') {
      for (const [k, v] of Object.entries(meta as Record<string, unknown>)) rows.push([`token_meta_${k}`, goValue(v)]);
    }
  }
  const wrap = secret.wrap_info as Record<string, unknown> | null | undefined;
  if (wrap && typeof wrap === 'object') {
    rows.push(
      ['wrapping_token:', goValue(wrap.token ?? '')],
      ['wrapping_accessor:', goValue(wrap.accessor ?? '')],
      ['wrapping_token_ttl:', typeof wrap.ttl === 'number' ? humanDuration(wrap.ttl) : goValue(wrap.ttl)],
      ['wrapping_token_creation_time:', goValue(wrap.creation_time ?? '')],
      ['wrapping_token_creation_path:', goValue(wrap.creation_path ?? '')],
    );
    if (typeof wrap.wrapped_accessor === 'string' && wrap.wrapped_accessor !== '') rows.push(['wrapped_accessor:', wrap.wrapped_accessor]);
  }
  const data = secret.data;
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    for (const k of Object.keys(d).sort()) rows.push([k, cell(k, d[k])]);
  }
  return rows.length === 0 ? '' : table(['Key', 'Value'], rows);
}
