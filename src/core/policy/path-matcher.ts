/**
 * Finds the rule that decides a path, built once per ACL:
 * - exact patterns in a Map (an exact match always wins);
 * - `*` and `+` patterns in a compressed trie (radix tree) over their characters, where a
 *   whole `+` segment is one special edge that consumes one non-empty path segment. Walking a request path visits
 *   each trie node at most once; every rule met on the way (a `*` rule whose stem the path
 *   starts with, or a rule ending exactly where the path ends) is a match, and the match of
 *   highest precomputed rank (Vault's priority order) decides. A check allocates nothing
 *   and builds no regex.
 */
import { comparePriority, type PathPattern } from './path-pattern.js';

export interface Matchable {
  readonly pattern: PathPattern;
}

interface Entry<T> {
  rule: T;
  /** Higher wins. */
  rank: number;
}

interface Edge<T> {
  /** Literal text this edge consumes (one character until `compress` runs). */
  label: string;
  to: Node<T>;
}

interface Node<T> {
  /** Keyed by the first character of the edge's label. */
  edges: Map<number, Edge<T>> | undefined;
  /** Edge for a `+` segment; only on nodes at a segment start. */
  plus: Node<T> | undefined;
  /** The rule whose stem ends here and that ends in `*`. */
  glob: Entry<T> | undefined;
  /** The rule (with `+` segments, no `*`) that ends here. */
  end: Entry<T> | undefined;
}

const newNode = <T>(): Node<T> => ({ edges: undefined, plus: undefined, glob: undefined, end: undefined });
const SLASH = 47;

export class PathMatcher<T extends Matchable> {
  private readonly exact = new Map<string, T>();
  private readonly root: Node<T> = newNode<T>();
  private readonly entries = new Map<T, Entry<T>>();

  constructor(rules: Iterable<T>) {
    const wild: T[] = [];
    for (const r of rules) {
      if (r.pattern.kind === 'exact') this.exact.set(r.pattern.pattern, r);
      else wild.push(r);
    }
    wild.sort((a, b) => comparePriority(a.pattern, b.pattern));
    wild.forEach((rule, i) => this.insert({ rule, rank: i + 1 }));
    compress(this.root);
  }

  /**
   * The deciding rule for `path`. For a list (a path ending in `/`), as in Vault, an exact
   * rule for the path without its slash also applies, and so do wildcard rules matching the
   * path without its slash (the higher priority of the two wildcard winners decides).
   */
  find(path: string, isList: boolean): T | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    if (!isList || path.charCodeAt(path.length - 1) !== SLASH) return walk(this.root, path, 0, undefined)?.rule;
    const trimmed = path.slice(0, -1);
    const exactTrimmed = this.exact.get(trimmed);
    if (exactTrimmed) return exactTrimmed;
    const full = walk(this.root, path, 0, undefined);
    return walk(this.root, trimmed, 0, full)?.rule;
  }

  /** Every rule, exact ones first. */
  *all(): IterableIterator<T> {
    yield* this.exact.values();
    yield* this.entries.keys();
  }

  private insert(entry: Entry<T>): void {
    this.entries.set(entry.rule, entry);
    const { stem, endsWithGlob, plusAt } = entry.rule.pattern;
    let node = this.root;
    let i = 0;
    let nextPlus = 0;
    while (i < stem.length) {
      // Only the pattern's own wildcards: a `+` filled in from a template value is text.
      if (plusAt[nextPlus] === i) {
        nextPlus++;
        node = node.plus ??= newNode();
        i++;
        continue;
      }
      node.edges ??= new Map();
      const c = stem.charCodeAt(i);
      let edge = node.edges.get(c);
      if (!edge) node.edges.set(c, (edge = { label: stem[i]!, to: newNode() }));
      node = edge.to;
      i++;
    }
    if (endsWithGlob) node.glob = entry;
    else node.end = entry;
  }
}

/** Best match at or below `node` for `path` from offset `i`, against the best so far. */
function walk<T>(start: Node<T>, path: string, from: number, best: Entry<T> | undefined): Entry<T> | undefined {
  let node: Node<T> = start;
  let i = from;
  for (;;) {
    if (node.glob && (!best || node.glob.rank > best.rank)) best = node.glob;
    if (i === path.length) {
      if (node.end && (!best || node.end.rank > best.rank)) best = node.end;
      return best;
    }
    if (node.plus) {
      let end = path.indexOf('/', i);
      if (end === -1) end = path.length;
      if (end > i) best = walk(node.plus, path, end, best);
    }
    const edge = node.edges?.get(path.charCodeAt(i));
    if (!edge || !path.startsWith(edge.label, i)) return best;
    node = edge.to;
    i += edge.label.length;
  }
  return best;
}

/** Joins chains of nodes that hold nothing and lead on to exactly one place. */
function compress<T>(root: Node<T>): void {
  const stack: Node<T>[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.plus) stack.push(node.plus);
    if (!node.edges) continue;
    for (const edge of node.edges.values()) {
      let to = edge.to;
      while (!to.plus && !to.glob && !to.end && to.edges?.size === 1) {
        const only: Edge<T> = to.edges.values().next().value!;
        edge.label += only.label;
        to = only.to;
      }
      edge.to = to;
      stack.push(to);
    }
  }
}
