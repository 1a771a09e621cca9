/**
 * One canonical form of a request path, computed once: ACL, router and audit all see the
 * same string. Nothing is collapsed silently: `//`, `.` and `..` segments are refused.
 */
import { invalidRequest } from '../errors.js';

/**
 * RFC 6960's GET form puts a standard-base64 request in the last path segment (`.../ocsp/<b64>`),
 * which holds '/' and, now and then, '//'. Such a tail is the one place an empty segment is let
 * through: it is only base64, so it can hold no dot segment, and ACL, router and audit still
 * see this one string.
 */
const OCSP_GET_TAIL = /(^|\/)ocsp\/[A-Za-z0-9+/=]+$/;

function hasEmptySegment(path: string): boolean {
  const at = path.indexOf('//');
  if (at === -1) return false;
  const tail = OCSP_GET_TAIL.exec(path);
  return !tail || at < tail.index + tail[0].indexOf('ocsp/') + 'ocsp/'.length;
}

export function canonicalizePath(raw: string): string {
  let path = raw;
  if (path.startsWith('/')) path = path.slice(1);
  if (path.length > 4096) throw invalidRequest('request path too long');
  if (hasEmptySegment(path)) throw invalidRequest('invalid request path: empty segment ("//")');
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
