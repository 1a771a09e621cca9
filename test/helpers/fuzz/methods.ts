/** Fuzz request methods: the real ones by how often clients send them, and invented ones. */
import type { Prng } from './prng.js';

export function method(r: Prng): string {
  return r.weighted<() => string>([
    [20, () => 'GET'],
    [18, () => 'POST'],
    [20, () => 'PUT'],
    [5, () => 'PATCH'],
    [8, () => 'DELETE'],
    [10, () => 'LIST'],
    [4, () => 'HEAD'],
    [2, () => 'OPTIONS'],
    [3, () => r.pick(['SCAN', 'FROB', 'TRACE', 'PROPFIND', 'SEARCH', 'QUERY', 'COPY', 'MOVE', 'LOCK', 'PURGE', 'MKCOL', 'SCAN', 'GETX', 'POSTT', 'M-SEARCH', 'LISTX', 'LIS', 'REPORT'])],
    [2, () => r.string(r.range(1, 12), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')],
  ])();
}
