/**
 * HCL version 1 (the language of Vault policies and server config files) and its JSON
 * variant, read into one plain value tree. See tree.ts for the shape.
 */
import { HclSyntaxError, positionOf } from './errors.js';
import { jsonErrorOffset } from './json-position.js';
import { checkSize, DEFAULT_MAX_DEPTH, parseHclSyntax, type HclParseOptions } from './parser.js';
import { depthExceeds, isObject, kindOf, type HclBody } from './tree.js';

export { HclError, HclSyntaxError } from './errors.js';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, parseHclSyntax, type HclParseOptions } from './parser.js';
export { blocks, getOwn, hasOwn, isObject, keyLine, lineOf, setOwn, type HclBlock, type HclBody, type HclValue } from './tree.js';

/**
 * HCL or JSON text to a value tree. Text whose first non-blank character is `{` is JSON
 * (as in HCL1); anything else is HCL. Both obey the same size and depth limits, and both
 * throw HclSyntaxError for malformed input.
 */
export function parseHcl(text: string, options: HclParseOptions = {}): HclBody {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(source);
  if (first?.[0] !== '{') return parseHclSyntax(text, options);
  checkSize(text, options.maxBytes);
  return parseJsonBody(source, options.maxDepth ?? DEFAULT_MAX_DEPTH);
}

/** The same as parseHcl: HCL or JSON text to a value tree. */
export const hclToObject = parseHcl;

function parseJsonBody(text: string, maxDepth: number): HclBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message may quote the input and lacks a position for some errors: find our own.
    const offset = jsonErrorOffset(text);
    const { line, column } = positionOf(text, offset < 0 ? text.length : offset);
    const detail = offset >= text.length ? 'invalid JSON: unexpected end of input' : 'invalid JSON';
    throw new HclSyntaxError(detail, line, column);
  }
  if (!isObject(value)) throw new HclSyntaxError(`a JSON document must be an object, not ${kindOf(value)}`, 1, 1);
  if (depthExceeds(value, maxDepth)) {
    throw new HclSyntaxError(`nesting is deeper than the limit of ${maxDepth} levels`, 0, 0);
  }
  return value as HclBody;
}
