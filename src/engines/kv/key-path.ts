/**
 * Secret paths below a kv mount. A path names a secret unless it is empty or ends in '/'
 * (a folder, which can be listed but never hold a value). Empty segments never reach an
 * engine through core's canonical paths; they are refused here too, since storage keys
 * are built from these strings.
 */
import { invalidRequest } from '../../errors.js';

/** A leading '/', or '//' anywhere; a trailing '/' (a folder) is not an empty segment. */
function hasEmptySegment(path: string): boolean {
  return path.startsWith('/') || path.includes('//');
}

export function isFolderPath(path: string): boolean {
  return path === '' || path.endsWith('/');
}

/** A path a secret may be written at; a 400 saying why not otherwise. */
export function writablePath(path: string): string {
  if (path === '') throw invalidRequest('missing secret path');
  if (path.endsWith('/')) throw invalidRequest(`invalid secret path "${path}": a path ending in "/" is a folder and cannot hold a secret`);
  if (hasEmptySegment(path)) throw invalidRequest(`invalid secret path "${path}": empty path segment`);
  return path;
}

/** A path a secret may be read at, or null when it can hold none (a folder: read answers 404). */
export function readablePath(path: string): string | null {
  if (path === '') throw invalidRequest('missing secret path');
  if (path.endsWith('/')) return null;
  if (hasEmptySegment(path)) throw invalidRequest(`invalid secret path "${path}": empty path segment`);
  return path;
}

/** The folder a LIST or SCAN is about: '' (the root) or a path ending in '/'. */
export function folderPath(path: string): string {
  if (path === '') return '';
  if (hasEmptySegment(path)) throw invalidRequest(`invalid folder path "${path}": empty path segment`);
  return path.endsWith('/') ? path : `${path}/`;
}
