/**
 * One canonical form of a request path, computed once: ACL, router and audit all see the
 * same string. Nothing is collapsed silently: `//`, `.` and `..` segments are refused.
 */
import { invalidRequest } from '../errors.js';

export function canonicalizePath(raw: string): string {
  let path = raw;
  if (path.startsWith('/')) path = path.slice(1);
  if (path.length > 4096) throw invalidRequest('request path too long');
  if (path.includes('//')) throw invalidRequest('invalid request path: empty segment ("//")');
  // Only a path with a dot right after a slash (or at the start) can hold a dot segment.
  const dotSegmentPossible = path.startsWith('.') || path.includes('/.');
  for (let start = 0; dotSegmentPossible && start <= path.length; ) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const seg = path.slice(start, end);
    if (seg === '.' || seg === '..') throw invalidRequest(`invalid request path: "${seg}" segments are not allowed`);
    start = end + 1;
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw invalidRequest('invalid request path: control characters are not allowed');
  }
  return path;
}
