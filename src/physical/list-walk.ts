/**
 * One-level listing over any ordered key source, shared by the backends. It never visits
 * every descendant: after emitting a folder it seeks past the folder's whole key range,
 * so listing a level costs one seek per folder plus one step per plain key.
 */
import { compareKeys, prefixUpperBound } from './keys.js';

/**
 * Yields keys in byte order starting at `from` (inclusive or not), all below `end` when
 * `end` is not null. The walker may stop early; iterators must tolerate `return()`.
 */
export type KeyScan = (from: string, inclusive: boolean, end: string | null) => Iterable<string>;

/** Entries one level below `prefix` sorting strictly after `after` (null: from the start). */
export function walkLevel(prefix: string, after: string | null, limit: number, scan: KeyScan): string[] {
  const out: string[] = [];
  if (limit <= 0) return out;
  const end = prefixUpperBound(prefix);
  // Every key in the level sorts after `prefix + after`, and entry order equals key order
  // (a folder `f/` is a prefix of all its keys), so one exclusive seek finds the start.
  let from = prefix + (after ?? '');
  let inclusive = false;
  for (;;) {
    let seekTo: string | null = null;
    for (const key of scan(from, inclusive, end)) {
      if (!key.startsWith(prefix)) break;
      const rest = key.slice(prefix.length);
      if (rest === '') continue; // the key equal to the prefix itself has no name here
      const slash = rest.indexOf('/');
      const entry = slash < 0 ? rest : rest.slice(0, slash + 1);
      // Only a folder can fail this (after = 'f/' or 'f/x' while scanning inside f/).
      if (after === null || compareKeys(entry, after) > 0) {
        out.push(entry);
        if (out.length >= limit) return out;
      }
      if (slash >= 0) {
        seekTo = prefixUpperBound(prefix + entry);
        break;
      }
    }
    if (seekTo === null) return out;
    from = seekTo;
    inclusive = true;
  }
}
