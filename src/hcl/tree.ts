/**
 * The value tree both HCL and JSON input become, and helpers to read it safely.
 *
 * Shape (HCL1-to-JSON style): attributes are plain values; `name "a" "b" { ... }` becomes
 * `{ name: { a: { b: { ... } } } }`; a key that appears more than once in the same body
 * becomes an array of its values in order. Keys are always own properties (a key such as
 * `__proto__` or `constructor` is data, never the prototype), so read the tree with
 * `getOwn`/`hasOwn`, not with `in`.
 */
import { HclError } from './errors.js';

export type HclValue = string | number | boolean | null | HclValue[] | HclBody;
export interface HclBody {
  [key: string]: HclValue;
}

export interface HclBlock {
  labels: string[];
  body: Record<string, unknown>;
}

export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

export const getOwn = (obj: object, key: string): unknown =>
  hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;

export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Line (1-based) where a key was written in HCL input; unknown for JSON input. */
const keyLines = new WeakMap<object, Map<string, number>>();

export function recordKeyLine(obj: object, key: string, line: number): void {
  let lines = keyLines.get(obj);
  if (!lines) keyLines.set(obj, (lines = new Map()));
  if (!lines.has(key)) lines.set(key, line);
}

export function keyLine(obj: object, key: string): number | undefined {
  return keyLines.get(obj)?.get(key);
}

/** Line (1-based) where a block or object began in HCL input; unknown for JSON input. */
const objectLines = new WeakMap<object, number>();

export function recordLine(obj: object, line: number): void {
  objectLines.set(obj, line);
}

export function lineOf(obj: object): number | undefined {
  return objectLines.get(obj);
}

/**
 * Every block called `name` in `tree`, with `labelCount` labels each, whichever way the
 * input wrote it: HCL blocks, a JSON object keyed by labels (`{"path": {"a": {...}}}`), or a
 * JSON list of those (`{"path": [{"a": {...}}, {"b": {...}}]}`). A label whose value is a
 * list yields one block per element. Throws HclError when the shape is wrong.
 */
export function blocks(tree: Record<string, unknown>, name: string, labelCount = 1): HclBlock[] {
  const out: HclBlock[] = [];
  if (!hasOwn(tree, name)) return out;
  collect(tree[name], [], labelCount, name, out);
  return out;
}

function collect(value: unknown, labels: string[], labelCount: number, name: string, out: HclBlock[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, labels, labelCount, name, out);
    return;
  }
  const where = labels.length ? `"${name}" block ${labels.map((l) => JSON.stringify(l)).join(' ')}` : `"${name}"`;
  if (!isObject(value)) throw new HclError(`${where} must be a block (an object), not ${kindOf(value)}`);
  if (labels.length === labelCount) {
    out.push({ labels, body: value });
    return;
  }
  for (const label of Object.keys(value)) collect(value[label]!, [...labels, label], labelCount, name, out);
}

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Deepest nesting of lists and objects in a value (iterative: safe on hostile input). */
export function depthExceeds(root: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > maxDepth) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
  return false;
}
