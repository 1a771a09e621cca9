/**
 * Times as API answers print them. Answers print the same few instants over and over (a
 * token's issue and expiry time, a secret version's creation time), so recent renderings
 * are kept in a bounded memo: `toISOString` showed in the request profile.
 */
const rendered = new Map<number, string>();
const MEMO_SIZE = 4096;

/** `2018-03-22T02:24:06.945Z` */
export function isoTime(ms: number): string {
  let text = rendered.get(ms);
  if (text === undefined) {
    if (rendered.size >= MEMO_SIZE) rendered.clear();
    text = new Date(ms).toISOString();
    rendered.set(ms, text);
  }
  return text;
}

/** RFC 3339 in UTC with nine fractional digits, as Vault prints times: `2018-03-22T02:24:06.945000000Z`. */
export function rfc3339Nano(ms: number): string {
  return isoTime(ms).slice(0, -1) + '000000Z';
}

/** Seconds as Go prints a time.Duration: `0s`, `45s`, `1m30s`, `3h25m19s`, `768h0m0s`. */
export function goDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
