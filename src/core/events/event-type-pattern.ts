/**
 * The event type a subscriber names: a literal (`kv-v2/data-write`) or a glob where `*`
 * stands for any run of characters, slashes included (`kv*`, `kv-v2/data-*`, `*`), as Vault
 * matches them.
 */
export type EventTypeMatcher = (eventType: string) => boolean;

export function compileEventTypePattern(pattern: string): EventTypeMatcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*')) return (t) => t === pattern;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  return (t) => {
    if (t.length < first.length + last.length || !t.startsWith(first) || !t.endsWith(last)) return false;
    let at = first.length;
    const end = t.length - last.length;
    for (const part of middle) {
      const found = t.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}
