/**
 * JSON values as the fuzz writes them, including number literals JSON.stringify cannot
 * produce, and their text.
 */

/** A JSON number literal that JSON.stringify cannot produce (1e400, 123456789012345678901234567890). */
export class RawNumber {
  constructor(readonly text: string) {}
}

export type J = null | boolean | number | string | RawNumber | J[] | { [k: string]: J };

export function toJsonText(v: J): string {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
